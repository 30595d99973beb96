import type { ArgsDigest, AuditVerification, ChainHead } from "./auditChain.js";
import type { CheckpointHeads } from "./heads.js";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type { StoredMessage } from "@langchain/core/messages";
import type { ReviewRequest, Tier } from "../review/decisions.js";

/**
 * One store holds a deployment's durable state: graph checkpoints, the pending-review queue, the audit log
 * and the full transcript of every thread. `--store memory | sqlite:<path> | postgres://...` picks it.
 */
export interface Store {
  readonly kind: "memory" | "sqlite" | "postgres";
  readonly checkpointer: BaseCheckpointSaver;
  readonly queue: ReviewQueue;
  readonly audit: AuditLog;
  readonly transcript: Transcript;
  readonly threads: ThreadIndex;
  readonly executions: ExecutionJournal;
  readonly heads: CheckpointHeads;
  close(): Promise<void>;
}

/** A review waiting for a person, indexed apart from the checkpoints so listing never scans threads. */
export interface PendingReview {
  threadId: string;
  interruptId: string;
  actingUser: string;
  request: ReviewRequest;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms, or null for no deadline. */
  deadline: number | null;
  /** The reviewer who has claimed it and is answering now, if any. */
  claimedBy: string | null;
  /** Which process holds the claim, and since when (SQL stores): whether it was left (see isClaimStale). */
  claim?: { owner: string | null; claimedAt: number | null };
  /**
   * Who last said they have its card open, and when (epoch ms); absent when nobody has. Advisory: it
   * steers who answers what (see `isShown`), while claims decide whose answer is applied.
   */
  shownTo?: { reviewer: string; at: number };
  /**
   * Set when the stored request cannot be read (the store was damaged), saying why; `request` then has no
   * calls, and the review cannot be answered.
   */
  unreadable?: string;
}

/**
 * The reviews people can answer. The store's checkpointer queues each review as its interrupt is written
 * and drops a thread's reviews when its next checkpoint is written (queueing.ts); `put` is for an answerer
 * claiming a review that is not listed.
 */
export interface ReviewQueue {
  /** Idempotent on (threadId, interruptId): re-running a node never queues a review twice. */
  put(review: Omit<PendingReview, "claimedBy">): Promise<void>;
  list(): Promise<PendingReview[]>;
  get(threadId: string): Promise<PendingReview | null>;
  /**
   * Atomically takes the review for answering. Returns false when it is gone or another reviewer holds it:
   * of two reviewers answering at once, exactly one gets true.
   */
  claim(threadId: string, interruptId: string, reviewer: string): Promise<boolean>;
  /** Notes that `reviewer` has the review's card open now; said again every few seconds while it is. */
  show(threadId: string, interruptId: string, reviewer: string): Promise<void>;
  /** Clears `reviewer`'s note as its card closes (one made since by someone else stays). */
  hide(threadId: string, interruptId: string, reviewer: string): Promise<void>;
  /** Gives a claimed review back, e.g. when resuming the run failed before the answer was applied. */
  release(threadId: string, interruptId: string): Promise<void>;
  /**
   * Removes the thread's reviews other than `current` (the one it waits on now; null: none), which can
   * never be answered. The store's checkpointer keeps the queue as runs write (queueing.ts); this puts it
   * right when an answerer finds it listing a review the thread is no longer waiting on.
   */
  removeStale(threadId: string, current: string | null): Promise<void>;
}

export type AuditDecision =
  "allowed" | "notified" | "approved" | "edited" | "rejected" | "denied_by_policy" | "timed_out";

/** One tool call, as decided and (if it ran) as executed. */
export interface AuditEntry {
  /** ISO time of the record. */
  time: string;
  threadId: string;
  toolCallId: string;
  interruptId: string | null;
  actingUser: string;
  /** Who answered the review; null when no person was asked. */
  reviewer: string | null;
  tool: string;
  server: string;
  /** The arguments the model asked for, with secrets masked. */
  args: Record<string, unknown>;
  /** The store's keyed digest of the exact (unmasked) arguments the model asked for (auditChain.ts). */
  argsHash: string;
  tier: Tier;
  rule: string;
  decision: AuditDecision;
  /** Milliseconds from the review being asked to its answer; null when no person was asked. */
  decideMs: number | null;
  outcome: "ok" | "error" | "not_run";
  error: string | null;
  /** The keyed digest of the exact arguments that ran; null when nothing ran. */
  executedArgsHash: string | null;
  /** The arguments a reviewer's edit ran the call with, secrets masked (records of `edited` calls only). */
  editedArgs?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
  /**
   * Set when the stored entry cannot be read (the store was damaged), saying why; every field but seq,
   * threadId, toolCallId, prevHash and hash is then a placeholder.
   */
  unreadable?: string;
}

export interface AuditProblem {
  seq: number;
  kind: "edited" | "deleted" | "reordered";
  detail: string;
}

export interface AuditFilter {
  threadId?: string;
  toolCallIds?: readonly string[];
}

export interface AuditLog {
  /**
   * Idempotent on (threadId, toolCallId, decision, reviewer): a node that re-runs never writes a decision
   * twice, and a call settled again after a crash lost its first decision gets a record of each.
   */
  append(entry: AuditEntry): Promise<void>;
  /** Oldest first; with `toolCallIds`, only the records of those calls (an indexed read, however long the thread). */
  list(filter?: AuditFilter): Promise<AuditRecord[]>;
  /**
   * Walks the hash chain and names every edited, deleted or reordered record; with `anchor` (a head kept
   * outside the store, its hash possibly cut short), also a trail that no longer holds it unchanged.
   */
  verify(anchor?: ChainHead): Promise<AuditVerification>;
  /** Digests arguments with this store's audit key, as records and the execution journal carry them. */
  digestArgs: ArgsDigest;
}

/** The whole conversation of each thread, append-only; the graph state keeps only a working window. */
export interface Transcript {
  /** Idempotent on message id: messages already stored are skipped. Every message must have an id. */
  append(threadId: string, messages: StoredMessage[]): Promise<void>;
  /**
   * The thread's messages, oldest first. With `from` (a message id), only that message and those after it,
   * read by index however long the thread; the whole transcript when the thread has no message `from`.
   */
  read(threadId: string, from?: string): Promise<StoredMessage[]>;
  /** True when the thread's transcript holds the message with this id (one indexed read, not the whole). */
  has(threadId: string, messageId: string): Promise<boolean>;
}

export interface ThreadInfo {
  threadId: string;
  actingUser: string;
  createdAt: number;
  updatedAt: number;
}

/** Which threads exist and who acts in them. */
export interface ThreadIndex {
  touch(threadId: string, actingUser: string): Promise<void>;
  get(threadId: string): Promise<ThreadInfo | null>;
}

/** One tool call as run_tool started it, and how it ended once it reported back. */
export interface ToolExecution {
  threadId: string;
  toolCallId: string;
  tool: string;
  /** The audit log's keyed digest of the exact arguments it was started with. */
  argsHash: string;
  /** Epoch ms. */
  startedAt: number;
  /** Epoch ms; null while it runs, and forever when the process died before it reported back. */
  finishedAt: number | null;
  /** Null until finished. */
  outcome: "ok" | "error" | null;
  /** The text the model got back: the result, or the error. Null until finished. */
  result: string | null;
  /**
   * The decision it was started under, and who made it (null: policy, no person; or a journal written
   * before these were kept). Durable before the tool runs, so a crash while it runs cannot lose who approved.
   */
  decision: ExecutionDecision | null;
  reviewer: string | null;
}

/** The decisions under which a call may start. */
export type ExecutionDecision = Extract<AuditDecision, "allowed" | "notified" | "approved" | "edited">;

/** What `start` records; without a decision, the call reads as one started before decisions were kept. */
export type ToolExecutionStart = Pick<
  ToolExecution,
  "threadId" | "toolCallId" | "tool" | "argsHash" | "startedAt"
> &
  Partial<Pick<ToolExecution, "decision" | "reviewer">>;

/**
 * Makes running a tool at most once per (threadId, toolCallId), across processes and crashes. Runs are
 * checkpointed at their end, so a run that dies after a tool ran is resumed from before it; the journal
 * remembers that the call was started.
 */
export interface ExecutionJournal {
  /**
   * Atomically records the call as started, unless anything is recorded for it. Returns null when this
   * caller recorded it, and alone may run it; otherwise the record already there, and the call must not run.
   */
  start(execution: ToolExecutionStart): Promise<ToolExecution | null>;
  /** What is recorded for the call, or null when it was never started. */
  get(threadId: string, toolCallId: string): Promise<ToolExecution | null>;
  /** Records how a started call ended. */
  finish(
    threadId: string,
    toolCallId: string,
    ending: { outcome: "ok" | "error"; result: string; finishedAt: number },
  ): Promise<void>;
}
