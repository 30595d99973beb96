import type { BaseCheckpointSaver, MemorySaver } from "@langchain/langgraph-checkpoint";
import type { StoredMessage } from "@langchain/core/messages";
import { keyedArgsDigest, newAuditKey, sealRecord, verifyChain, type ChainHead } from "./auditChain.js";
import { createMemoryExecutionJournal } from "./executions.js";
import { watchHeads, type CheckpointHeads } from "./heads.js";
import { keepQueue, type QueueUpkeep } from "./queueing.js";
import { auditEvent } from "./rows.js";
import type {
  AuditEntry,
  AuditLog,
  AuditRecord,
  PendingReview,
  ReviewQueue,
  Store,
  ThreadIndex,
  ThreadInfo,
  Transcript,
} from "./types.js";

/**
 * The `memory` store: everything lives in this process and is gone when it ends. The same contracts as the
 * durable stores, so the agent and the tests cannot tell them apart except by durability.
 */
export function createMemoryStore(options: {
  checkpointer: () => BaseCheckpointSaver;
  clock?: () => number;
  auditRecords?: AuditRecord[];
  /** The audit key of the records given (a new one by default). */
  auditKey?: string;
}): Store {
  const clock = options.clock ?? Date.now;
  let heads: CheckpointHeads | undefined;
  const queue = createMemoryQueue(clock);
  return {
    kind: "memory",
    get checkpointer() {
      const saver = options.checkpointer();
      keepQueue(saver, queue);
      return saver;
    },
    queue,
    audit: createMemoryAuditLog(options.auditRecords ?? [], options.auditKey ?? newAuditKey()),
    transcript: createMemoryTranscript(),
    threads: createMemoryThreadIndex(clock),
    executions: createMemoryExecutionJournal(),
    get heads() {
      return (heads ??= memoryHeads(options.checkpointer));
    },
    close: () => Promise.resolve(),
  };
}

/** A MemorySaver's latest checkpoint is the greatest id in its thread's top-level namespace. */
function memoryHeads(checkpointer: () => BaseCheckpointSaver): CheckpointHeads {
  let saver: BaseCheckpointSaver | null = null;
  try {
    saver = checkpointer();
  } catch {
    // opened without a checkpointer: nothing is written here, and there is nothing to read
  }
  const storage = (saver as Partial<MemorySaver> | null)?.storage;
  return watchHeads(saver, (threadId) => {
    const ids = Object.keys(storage?.[threadId]?.[""] ?? {});
    return Promise.resolve(ids.length > 0 ? ids.reduce((a, b) => (b > a ? b : a)) : null);
  });
}

const queueKey = (threadId: string, interruptId: string): string => JSON.stringify([threadId, interruptId]);

/** The memory queue, and what the store's checkpointer does to it as it writes (queueing.ts). */
export function createMemoryQueue(clock: () => number = Date.now): ReviewQueue & QueueUpkeep {
  const reviews = new Map<string, PendingReview>();
  /** The checkpoint each review was recorded with; none for one put by an answerer. */
  const recordedWith = new Map<string, string>();
  const drop = (threadId: string, keep: (key: string, review: PendingReview) => boolean) => {
    for (const [key, review] of reviews)
      if (review.threadId === threadId && !keep(key, review)) {
        reviews.delete(key);
        recordedWith.delete(key);
      }
  };
  const put = (review: Omit<PendingReview, "claimedBy">) => {
    const key = queueKey(review.threadId, review.interruptId);
    if (!reviews.has(key)) reviews.set(key, structuredClone({ ...review, claimedBy: null }));
    return key;
  };
  return {
    put(review) {
      put(review);
      return Promise.resolve();
    },
    list() {
      const all = [...reviews.values()].sort((a, b) => a.createdAt - b.createdAt);
      return Promise.resolve(all.map((review) => structuredClone(review)));
    },
    get(threadId) {
      const forThread = [...reviews.values()].filter((review) => review.threadId === threadId);
      const latest = forThread.sort((a, b) => b.createdAt - a.createdAt)[0];
      return Promise.resolve(latest ? structuredClone(latest) : null);
    },
    claim(threadId, interruptId, reviewer) {
      const review = reviews.get(queueKey(threadId, interruptId));
      if (!review || review.claimedBy !== null) return Promise.resolve(false);
      review.claimedBy = reviewer;
      return Promise.resolve(true);
    },
    show(threadId, interruptId, reviewer) {
      const review = reviews.get(queueKey(threadId, interruptId));
      if (review) review.shownTo = { reviewer, at: clock() };
      return Promise.resolve();
    },
    hide(threadId, interruptId, reviewer) {
      const review = reviews.get(queueKey(threadId, interruptId));
      if (review?.shownTo?.reviewer === reviewer) delete review.shownTo;
      return Promise.resolve();
    },
    release(threadId, interruptId) {
      const review = reviews.get(queueKey(threadId, interruptId));
      if (review) review.claimedBy = null;
      return Promise.resolve();
    },
    removeStale(threadId, current) {
      drop(threadId, (_key, review) => review.interruptId === current);
      return Promise.resolve();
    },
    record(threadId, checkpointId, recorded) {
      for (const review of recorded) recordedWith.set(put(review), checkpointId);
      drop(threadId, (key) => recordedWith.get(key) === checkpointId);
      return Promise.resolve();
    },
  };
}

/**
 * `records` is the log's backing array, passed in so a test can tamper with it the way someone with access
 * to a database file could, and check that verify() notices.
 */
export function createMemoryAuditLog(records: AuditRecord[], auditKey: string): AuditLog {
  const last = records.reduce<AuditRecord | null>((a, b) => (a && a.seq > b.seq ? a : b), null);
  let head: ChainHead | null = last && { seq: last.seq, hash: last.hash };
  const keyOf = (entry: AuditEntry) => JSON.stringify([entry.threadId, entry.toolCallId, auditEvent(entry)]);
  const seen = new Set(records.map(keyOf));
  return {
    append(entry: AuditEntry) {
      const key = keyOf(entry);
      if (seen.has(key)) return Promise.resolve();
      const record = sealRecord(structuredClone(entry), head);
      records.push(record);
      seen.add(key);
      head = { seq: record.seq, hash: record.hash };
      return Promise.resolve();
    },
    list(filter) {
      const calls = filter?.toolCallIds ? new Set(filter.toolCallIds) : null;
      const matching = records.filter(
        (record) =>
          (!filter?.threadId || record.threadId === filter.threadId) &&
          (calls === null || calls.has(record.toolCallId)),
      );
      return Promise.resolve(matching.map((record) => structuredClone(record)).sort((a, b) => a.seq - b.seq));
    },
    verify(anchor) {
      return Promise.resolve(verifyChain(records, head, anchor ?? null));
    },
    digestArgs: keyedArgsDigest(auditKey),
  };
}

export function createMemoryTranscript(): Transcript {
  const threads = new Map<string, { ids: Set<string>; messages: StoredMessage[] }>();
  return {
    append(threadId, messages) {
      const bare = messages.find((message) => !message.data.id);
      if (bare) return Promise.reject(missingIdError(bare));
      let thread = threads.get(threadId);
      if (!thread) threads.set(threadId, (thread = { ids: new Set(), messages: [] }));
      for (const message of messages) {
        const id = requireMessageId(message);
        if (thread.ids.has(id)) continue;
        thread.ids.add(id);
        thread.messages.push(structuredClone(message));
      }
      return Promise.resolve();
    },
    read(threadId, from) {
      const messages = threads.get(threadId)?.messages ?? [];
      const start = from === undefined ? -1 : messages.findIndex((message) => message.data.id === from);
      return Promise.resolve(structuredClone(start < 0 ? messages : messages.slice(start)));
    },
    has(threadId, messageId) {
      return Promise.resolve(threads.get(threadId)?.ids.has(messageId) ?? false);
    },
  };
}

/** Transcript idempotence rests on message ids; a message without one would be stored again on every retry. */
export function requireMessageId(message: StoredMessage): string {
  if (!message.data.id) throw missingIdError(message);
  return message.data.id;
}

function missingIdError(message: StoredMessage): TypeError {
  return new TypeError(`transcript message of type ${message.type} has no id; every message needs one`);
}

export function createMemoryThreadIndex(clock: () => number): ThreadIndex {
  const threads = new Map<string, ThreadInfo>();
  return {
    touch(threadId, actingUser) {
      const now = clock();
      const existing = threads.get(threadId);
      threads.set(threadId, { threadId, actingUser, createdAt: existing?.createdAt ?? now, updatedAt: now });
      return Promise.resolve();
    },
    get(threadId) {
      const info = threads.get(threadId);
      return Promise.resolve(info ? { ...info } : null);
    },
  };
}
