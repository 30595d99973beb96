import type { BaseMessage } from "@langchain/core/messages";
import type { StateSnapshot } from "@langchain/langgraph";
import { AskfirstError } from "../errors.js";
import type { ReviewRequest } from "../review/decisions.js";
import { fresh, toQueued } from "../store/queueing.js";
import type { PendingReview, Store } from "../store/types.js";
import type { AgentGraph } from "./graph.js";
import { toStored } from "./messages.js";
import type { AgentState } from "./state.js";

/** What a session reads of a thread from its checkpoint: the review it waits on, and the model's window. */
export interface ThreadState {
  review: PendingReview | null;
  window: BaseMessage[];
}

/** The thread's checkpoint, as LangGraph gives it. */
export function snapshotOf(graph: AgentGraph, threadId: string): Promise<StateSnapshot> {
  return graph.getState({ configurable: { thread_id: threadId } });
}

export function windowOf(snapshot: StateSnapshot): BaseMessage[] {
  return (snapshot.values as Partial<AgentState>).messages ?? [];
}

/**
 * The review the thread waits on, read from its checkpoint, after making its transcript whole: a process
 * that died once its run was checkpointed, before it kept the run's messages, left them in the
 * checkpoint's window only. They are added, in order and each once, before the thread gets anything new.
 */
export async function readThread(
  graph: AgentGraph,
  store: Pick<Store, "transcript" | "queue">,
  threadId: string,
): Promise<ThreadState> {
  const snapshot = await snapshotOf(graph, threadId);
  const window = windowOf(snapshot);
  if (window.length > 0) await store.transcript.append(threadId, window.map(toStored));
  return { review: await reviewIn(store.queue, threadId, snapshot), window };
}

/** The review the thread waits on now, read from its latest checkpoint. */
export async function pendingReview(
  graph: AgentGraph,
  queue: Store["queue"],
  threadId: string,
): Promise<PendingReview | null> {
  return reviewIn(queue, threadId, await snapshotOf(graph, threadId));
}

/**
 * The review a checkpoint waits on: the queued one (its deadline and claim), else one made from the
 * interrupt; also when the queue's copy of the request is damaged, as the interrupt's own request is what
 * an answer applies to.
 */
export async function reviewIn(
  queue: Store["queue"],
  threadId: string,
  snapshot: StateSnapshot,
): Promise<PendingReview | null> {
  const pending = snapshot.tasks.flatMap((task) => task.interrupts ?? [])[0];
  if (!pending?.id) return null;
  const queued = await queue.get(threadId);
  if (queued && queued.interruptId === pending.id && !queued.unreadable) return queued;
  return fresh(threadId, pending.id, pending.value as ReviewRequest);
}

/** Makes the queue list `current` (the review the thread waits on, or none) and nothing else of the thread. */
export async function requeue(
  queue: Store["queue"],
  threadId: string,
  current: PendingReview | null,
): Promise<void> {
  if (current) await queue.put(toQueued(current));
  await queue.removeStale(threadId, current?.interruptId ?? null);
}

/**
 * After a resume that failed: while the thread still waits on the review, it is released for another
 * answer; if the run got past it before failing (a tool ran, then the model failed), it can never be
 * answered again and leaves the queue. When the thread cannot be read, it is kept (released).
 */
export async function giveBack(
  graph: AgentGraph,
  queue: Store["queue"],
  threadId: string,
  interruptId: string,
): Promise<void> {
  const current = await pendingReview(graph, queue, threadId).catch(() => undefined);
  if (current === undefined || current?.interruptId === interruptId)
    await queue.release(threadId, interruptId);
  else await queue.removeStale(threadId, current?.interruptId ?? null);
}

/** An answer came for a review the thread no longer waits on: someone else's answer was applied first. */
export function reviewTaken(threadId: string): AskfirstError {
  return new AskfirstError(`the review in thread ${threadId} was already answered by someone else`, {
    code: "review_taken",
    source: "user",
  });
}

export function noReview(threadId: string): AskfirstError {
  return new AskfirstError(`thread ${threadId} has no review waiting`, { code: "no_review", source: "user" });
}
