import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { setBounded } from "../bounded.js";
import { topLevelThread } from "./queueing.js";

/**
 * Which checkpoint is a thread's latest, known without loading one. The session uses it to skip reading a
 * thread's state before new input when nothing can be waiting: the thread's latest checkpoint is still the
 * one this process wrote at the end of a run that finished (see session.ts).
 */
export interface CheckpointHeads {
  /** The id of the thread's latest top-level checkpoint, written by any process; null when it has none. */
  latest(threadId: string): Promise<string | null>;
  /** The id of the last top-level checkpoint this process wrote for the thread, if any. */
  writtenHere(threadId: string): string | undefined;
}

/** Threads whose last write is remembered; the oldest is forgotten first (it is then read, not skipped). */
const threadsRemembered = 10_000;

const writtenBySaver = new WeakMap<BaseCheckpointSaver, Map<string, string>>();

/**
 * Heads over a saver: `latest` is the store's own query; what this process writes is noted as the saver
 * writes it (its `put` is wrapped once, on this instance only).
 */
export function watchHeads(
  saver: BaseCheckpointSaver | null,
  latest: (threadId: string) => Promise<string | null>,
): CheckpointHeads {
  const written = saver ? noteWrites(saver) : new Map<string, string>();
  return { latest, writtenHere: (threadId) => written.get(threadId) };
}

function noteWrites(saver: BaseCheckpointSaver): Map<string, string> {
  const known = writtenBySaver.get(saver);
  if (known) return known;
  const written = new Map<string, string>();
  writtenBySaver.set(saver, written);
  const put = saver.put.bind(saver);
  saver.put = async (...args: Parameters<BaseCheckpointSaver["put"]>) => {
    const saved = await put(...args);
    const threadId = topLevelThread(saved);
    const id = saved.configurable?.checkpoint_id as unknown;
    if (threadId !== null && typeof id === "string") setBounded(written, threadId, id, threadsRemembered);
    return saved;
  };
  return written;
}
