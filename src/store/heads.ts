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
  /**
   * Resolves once this process's checkpoint writes for the thread (checkpoints and pending writes) have
   * stopped: none is under way, and none began after the last one ended. LangGraph throws as soon as a
   * run's signal aborts, and writes the checkpoint of where the run stopped afterwards: on PostgreSQL often
   * once an earlier write has ended, so not yet begun when the run threw.
   */
  settled(threadId: string): Promise<void>;
}

/** Threads whose last write is remembered; the oldest is forgotten first (it is then read, not skipped). */
const threadsRemembered = 10_000;

/** A run stopped by its signal makes two or three more writes; more rounds mean another run is writing. */
const quietRoundsAtMost = 20;

interface Noted {
  written: Map<string, string>;
  /** Writes under way, by thread. */
  writing: Map<string, Set<Promise<unknown>>>;
}

const notedBySaver = new WeakMap<BaseCheckpointSaver, Noted>();

/**
 * Heads over a saver: `latest` is the store's own query; what this process writes is noted as the saver
 * writes it (its `put` is wrapped once, on this instance only).
 */
export function watchHeads(
  saver: BaseCheckpointSaver | null,
  latest: (threadId: string) => Promise<string | null>,
): CheckpointHeads {
  const { written, writing }: Noted = saver ? noteWrites(saver) : { written: new Map(), writing: new Map() };
  return {
    latest,
    writtenHere: (threadId) => written.get(threadId),
    settled: async (threadId) => {
      // LangGraph goes from one write to the next in promise callbacks: once a turn of the event loop has
      // passed with nothing under way, it has nothing more to write.
      for (let round = 0; round < quietRoundsAtMost; round += 1) {
        await new Promise((resolve) => setImmediate(resolve));
        const under = writing.get(threadId);
        if (!under || under.size === 0) return;
        await Promise.allSettled([...under]);
      }
    },
  };
}

function noteWrites(saver: BaseCheckpointSaver): Noted {
  const known = notedBySaver.get(saver);
  if (known) return known;
  const noted: Noted = { written: new Map(), writing: new Map() };
  notedBySaver.set(saver, noted);
  const put = saver.put.bind(saver);
  const putNoted = async (...args: Parameters<BaseCheckpointSaver["put"]>) => {
    const saved = await put(...args);
    const threadId = topLevelThread(saved);
    const id = saved.configurable?.checkpoint_id as unknown;
    if (threadId !== null && typeof id === "string")
      setBounded(noted.written, threadId, id, threadsRemembered);
    return saved;
  };
  saver.put = (...args: Parameters<BaseCheckpointSaver["put"]>) =>
    track(noted, topLevelThread(args[0]), putNoted(...args));
  const putWrites = saver.putWrites.bind(saver);
  saver.putWrites = (...args: Parameters<BaseCheckpointSaver["putWrites"]>) =>
    track(noted, topLevelThread(args[0]), putWrites(...args));
  return noted;
}

/** Notes `saving` as under way for the thread until it ends, either way. */
function track<T>(noted: Noted, threadId: string | null, saving: Promise<T>): Promise<T> {
  if (threadId === null) return saving;
  const under = noted.writing.get(threadId) ?? new Set<Promise<unknown>>();
  noted.writing.set(threadId, under.add(saving));
  const done = () => {
    under.delete(saving);
    if (under.size === 0 && noted.writing.get(threadId) === under) noted.writing.delete(threadId);
  };
  saving.then(done, done);
  return saving;
}
