import { isAIMessage, type BaseMessage, type StoredMessage } from "@langchain/core/messages";
import { TurnCancelled } from "../errors.js";
import { ReviewTakenElsewhere, type Reviewer, type ReviewResponse } from "../review/decisions.js";
import { isClaimStale } from "../store/claims.js";
import type { AuditDecision, PendingReview, Store } from "../store/types.js";

/** How often a review being asked here looks at the queue for an answer given elsewhere. */
export const defaultQueueWatchMs = 1000;

/**
 * Watches the queue while a review is asked here. When another terminal or host claims it (an answer was
 * given there and is being applied), or the thread no longer waits on it, `signal` aborts with a
 * ReviewTakenElsewhere reason, which closes the card: the answer given here is never applied. A claim
 * already held when the card came up (maybe left by a reviewer that died) is not taken for an answer.
 * At each look, the queue is told the card is open here (`show`), so `askfirst pending` says so and
 * `askfirst review` leaves it to this reviewer; a card answered before the first look is never noted.
 */
function watchQueue(
  queue: Store["queue"],
  review: PendingReview,
  reviewer: string,
  everyMs: number,
): { signal: AbortSignal; stop: () => Promise<void> } {
  const taken = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let shown: Promise<unknown> | undefined;
  const look = async () => {
    // A note that fails to be written misleads no one: claims decide.
    shown = queue.show(review.threadId, review.interruptId, reviewer).catch(() => undefined);
    await shown;
    const queued = await queue.get(review.threadId).catch(() => undefined);
    if (timer === undefined) return;
    // A read that failed says nothing: the card stays, and our own claim decides in the end.
    if (queued !== undefined && isTaken(queued, review)) {
      taken.abort(new ReviewTakenElsewhere(queued?.claimedBy ?? null));
      return;
    }
    timer = setTimeout(() => void look(), everyMs);
  };
  timer = setTimeout(() => void look(), everyMs);
  return {
    signal: taken.signal,
    stop: async () => {
      clearTimeout(timer);
      timer = undefined;
      if (shown === undefined) return;
      // After the last note is written, so that it cannot land after the card's note is cleared.
      await shown;
      await queue.hide(review.threadId, review.interruptId, reviewer).catch(() => undefined);
    },
  };
}

/** Asks the reviewer once while watching the queue: its answer, or what closed the card. */
export async function askWhileWatching(
  queue: Store["queue"],
  review: PendingReview,
  reviewer: Reviewer,
  everyMs: number,
): Promise<{ answer: ReviewResponse } | { taken: ReviewTakenElsewhere }> {
  const watch = watchQueue(queue, review, reviewer.name, everyMs);
  try {
    const answer = await reviewer.review(review.request, watch.signal);
    // An answer given here as the watch saw another one could never be claimed: the other one counts.
    return watch.signal.aborted ? { taken: watch.signal.reason as ReviewTakenElsewhere } : { answer };
  } finally {
    await watch.stop();
  }
}

/**
 * Asks the reviewer here while watching the queue: when the review is answered elsewhere, the card closes
 * and, once that answer has run, who gave it is returned instead. Given back unanswered, it is asked again.
 */
export async function askWatched(
  store: Store,
  review: PendingReview,
  reviewer: Reviewer,
  options: { everyMs: number; signal?: AbortSignal | undefined },
): Promise<{ answer: ReviewResponse } | AnswerGivenElsewhere> {
  let asking = review;
  for (;;) {
    const asked = await askWhileWatching(store.queue, asking, reviewer, options.everyMs);
    if ("answer" in asked) return asked;
    const followed = await followAnswer(store, asking, { ...options, claimedBy: asked.taken.by });
    if (!("givenBack" in followed)) return followed;
    // Asked again as the queue holds it now: a claim left there by a reviewer that died is no answer.
    asking = followed.givenBack;
  }
}

/** Gone, replaced, or claimed by someone other than whoever held it when the card came up. */
function isTaken(queued: PendingReview | null, review: PendingReview): boolean {
  if (queued === null || queued.interruptId !== review.interruptId) return true;
  return queued.claimedBy !== null && queued.claimedBy !== review.claimedBy;
}

/**
 * Waits until the answer given elsewhere has been applied (the thread no longer waits on the review) and
 * returns who gave it (the reviewer the audit names for the review, else the one who claimed it) and what
 * was decided. Returns the review as queued now (`givenBack`) when the answerer gave it back unanswered,
 * or died before applying it (its claim is stale, see claims.ts): it waits again, to be asked here.
 * Ctrl-C (`signal`) stops the wait with TurnCancelled, the review untouched.
 */
export async function followAnswer(
  store: Store,
  review: PendingReview,
  options: {
    everyMs: number;
    signal?: AbortSignal | undefined;
    claimedBy: string | null;
    clock?: () => number;
  },
): Promise<AnswerGivenElsewhere | { givenBack: PendingReview }> {
  const now = options.clock ?? Date.now;
  for (;;) {
    const queued = await store.queue.get(review.threadId);
    if (queued?.interruptId !== review.interruptId) break;
    if (queued.claimedBy === null) return { givenBack: queued };
    if (queued.claim && isClaimStale(queued.claim, now())) return { givenBack: queued };
    await pause(options.everyMs, options.signal);
  }
  // Only the records of the review's own calls are read: as many as it has, however long the thread.
  const toolCallIds = [...reviewedCallIds(review)];
  const records = (await store.audit.list({ threadId: review.threadId, toolCallIds })).filter(
    (record) => record.interruptId === review.interruptId,
  );
  return {
    by: records[0]?.reviewer ?? options.claimedBy,
    decisions: records.map((record) => ({ tool: record.tool, decision: record.decision })),
  };
}

/** Who answered a review elsewhere, and each call's decision as the audit records it (none if unread). */
export interface AnswerGivenElsewhere {
  by: string | null;
  decisions: { tool: string; decision: AuditDecision }[];
}

/** The messages after the AI message that made the review's calls (none if it is not among them). */
export function messagesAfter(messages: BaseMessage[], review: PendingReview): BaseMessage[] {
  const callIds = reviewedCallIds(review);
  const asked = messages.findIndex(
    (message) =>
      isAIMessage(message) &&
      (message.tool_calls ?? []).some((call) => call.id !== undefined && callIds.has(call.id)),
  );
  return asked < 0 ? [] : messages.slice(asked + 1);
}

/** The id of the AI message among `messages` that made the review's calls, if it is among them. */
export function askingMessageId(
  messages: readonly StoredMessage[],
  review: PendingReview,
): string | undefined {
  const callIds = reviewedCallIds(review);
  const asking = messages.find((message) => {
    if (message.type !== "ai") return false;
    const calls = (message.data as { tool_calls?: { id?: string }[] }).tool_calls ?? [];
    return calls.some((call) => call.id !== undefined && callIds.has(call.id));
  });
  return asking?.data.id;
}

function reviewedCallIds(review: PendingReview): Set<string> {
  return new Set(review.request.context.actions.map((action) => action.toolCallId));
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new TurnCancelled(false));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stopped);
      resolve();
    }, ms);
    const stopped = () => {
      clearTimeout(timer);
      reject(new TurnCancelled(false));
    };
    signal?.addEventListener("abort", stopped, { once: true });
  });
}
