import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseCheckpointSaver, PendingWrite } from "@langchain/langgraph-checkpoint";
import type { ReviewRequest } from "../review/decisions.js";
import type { PendingReview } from "./types.js";

/**
 * The checkpointer keeps the review queue. A review is queued as its interrupt is written with the
 * thread's checkpoint, and it leaves the queue when the thread's next checkpoint is written (the interrupt
 * ids of a checkpoint's tasks are never asked again after it). So the queue lists the reviews recorded
 * with each thread's latest checkpoint, whenever a process dies: `askfirst pending` never misses a review
 * that `askfirst chat -t` would show, and never keeps one the thread has moved past.
 *
 * The durable stores do it in the transactions that write the checkpoint and the interrupt
 * (sqliteSaver.ts, postgresSaver.ts); the memory store around its saver's own writes (`keepQueue`).
 */
export type QueuedReview = Omit<PendingReview, "claimedBy">;

export interface QueueUpkeep {
  /**
   * Makes the thread's queue hold its reviews recorded with `checkpointId`, adding `reviews` (queued once:
   * a review already there keeps its claim); the thread's reviews of any other checkpoint leave.
   */
  record(threadId: string, checkpointId: string, reviews: QueuedReview[]): Promise<void>;
}

/** The thread of a write to its top-level graph; null for a subgraph's (their interrupts reach the top). */
export function topLevelThread(config: RunnableConfig): string | null {
  const { thread_id: threadId, checkpoint_ns: namespace } = config.configurable ?? {};
  return typeof threadId === "string" && !namespace ? threadId : null;
}

/** A review as it is queued when asked for, before anyone claims it. */
export function queuedReview(threadId: string, interruptId: string, request: ReviewRequest): QueuedReview {
  return {
    threadId,
    interruptId,
    actingUser: request.context.actingUser,
    request,
    createdAt: request.context.requestedAt,
    deadline: request.context.deadline,
  };
}

/** A review as the run that asked for it queued it: nobody has claimed it yet. */
export function fresh(threadId: string, interruptId: string, request: ReviewRequest): PendingReview {
  return { ...queuedReview(threadId, interruptId, request), claimedBy: null };
}

/** The review as the queue keeps it, without who claimed it. */
export function toQueued(review: PendingReview): QueuedReview {
  const { claimedBy: _claimedBy, ...queued } = review;
  return queued;
}

/**
 * What one task's writes put in the queue: the reviews asked for by its interrupts, with the thread and the
 * checkpoint they were recorded with; null for writes that ask no review or belong to a subgraph.
 */
export function reviewsToQueue(
  config: RunnableConfig,
  writes: PendingWrite[],
): { threadId: string; checkpointId: string; reviews: QueuedReview[] } | null {
  const threadId = topLevelThread(config);
  const checkpointId = config.configurable?.checkpoint_id as unknown;
  if (threadId === null || typeof checkpointId !== "string") return null;
  const reviews = reviewsInWrites(threadId, writes);
  return reviews.length > 0 ? { threadId, checkpointId, reviews } : null;
}

/** The reviews asked for by one task's writes: each interrupt whose value is a review request. */
function reviewsInWrites(threadId: string, writes: PendingWrite[]): QueuedReview[] {
  const reviews: QueuedReview[] = [];
  for (const [channel, value] of writes) {
    if (channel !== "__interrupt__" || !Array.isArray(value)) continue;
    for (const item of value as unknown[]) {
      const { id, value: request } = (item ?? {}) as { id?: unknown; value?: unknown };
      if (typeof id === "string" && isReviewRequest(request))
        reviews.push(queuedReview(threadId, id, request));
    }
  }
  return reviews;
}

/**
 * Human_review_node's interrupt value (buildReviewRequest). Checked for what the queue's row is made of;
 * an interrupt of another kind (none today) is left out of the queue, not refused.
 */
function isReviewRequest(value: unknown): value is ReviewRequest {
  if (typeof value !== "object" || value === null) return false;
  const { actionRequests, context } = value as Partial<Record<keyof ReviewRequest, unknown>>;
  if (!Array.isArray(actionRequests) || typeof context !== "object" || context === null) return false;
  const { actingUser, requestedAt, deadline } = context as Partial<ReviewRequest["context"]>;
  return (
    typeof actingUser === "string" &&
    typeof requestedAt === "number" &&
    (deadline === null || typeof deadline === "number")
  );
}

const kept = new WeakSet<BaseCheckpointSaver>();

/**
 * Has this saver instance keep the queue (see above) by wrapping its `put` and `putWrites`, once: for the
 * memory store, whose writes need no transaction.
 */
export function keepQueue(saver: BaseCheckpointSaver, upkeep: QueueUpkeep): void {
  if (kept.has(saver)) return;
  kept.add(saver);
  const put = saver.put.bind(saver);
  const putWrites = saver.putWrites.bind(saver);
  saver.put = async (...args: Parameters<BaseCheckpointSaver["put"]>) => {
    const saved = await put(...args);
    const threadId = topLevelThread(args[0]);
    if (threadId !== null) await upkeep.record(threadId, args[1].id, []);
    return saved;
  };
  saver.putWrites = async (...args: Parameters<BaseCheckpointSaver["putWrites"]>) => {
    const queued = reviewsToQueue(args[0], args[1]);
    if (queued) await upkeep.record(queued.threadId, queued.checkpointId, queued.reviews);
    await putWrites(...args);
  };
}
