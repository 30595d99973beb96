// One long thread of 400 turns in askfirst's design and in the plain design, run once and shared by the
// agent-loop and store-size benchmarks (the plain design alone takes most of a minute). Turns 386-400 of
// the long thread are timed in rounds with turns 1-15 of a new thread in another store, in shuffled order,
// so turn 400 and turn 10 are measured under the same load on the machine.
import { join } from "node:path";
import {
  InstantModel,
  instantCall,
  instantToolbox,
  openBenchSession,
  openPlainGraph,
  storeBytes,
  timeTurns,
} from "./agentKit.mjs";
import { nowMs, timeInRounds, withTempDir } from "./lib.mjs";

export const turns = 400;
export const sizeTurns = [100, 200, 400];
/** Turns of the new thread, timed beside the last turns of the long one; turn 10 is in their middle. */
const shortTurns = 15;
const warmupTurns = 30;

/** A thread driven one turn at a time; `turn(n)` runs its n-th turn. */
async function oursThread(dir, name) {
  const path = join(dir, `${name}.db`);
  const { store, session } = await openBenchSession(path, {
    toolbox: instantToolbox(),
    model: new InstantModel(instantCall),
  });
  return {
    path,
    turn: async (n) => {
      const result = await session.send(name, `Is pizza-palace open? (${n})`, { actingUser: "henry" });
      if (result.calls[0]?.outcome !== "ok") throw new Error(`turn ${n}: the tool call did not run`);
    },
    check: async (count) => {
      const kept = (await store.transcript.read(name)).length;
      if (kept !== count * 4) throw new Error(`the transcript kept ${kept} messages of ${count * 4}`);
    },
    close: () => store.close(),
  };
}

function plainThread(dir, name) {
  const path = join(dir, `${name}.db`);
  const plain = openPlainGraph(path);
  return {
    path,
    turn: (n) => plain.turn(name, `Is pizza-palace open? (${n})`),
    check: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

async function timed(fn) {
  const started = nowMs();
  await fn();
  return nowMs() - started;
}

/** Grows the long thread to 400 turns, timing each; the new thread's turns alternate with the last ones. */
async function runDesign(open, dir, label) {
  const warm = await open(dir, `${label}-warm`);
  await timeTurns(warmupTurns, warm.turn);
  await warm.close();
  const long = await open(dir, `${label}-long`);
  const short = await open(dir, `${label}-short`);
  const sizes = {};
  const first = turns - shortTurns;
  const times = await timeTurns(first, long.turn, {
    checkpoints: sizeTurns,
    at: (turn) => void (sizes[turn] = storeBytes(long.path)),
  });
  globalThis.gc?.();
  // The new thread's turns and the long one's last turns, in rounds of shuffled order (timeInRounds).
  const next = (thread, from) => {
    let n = from;
    return () => {
      n += 1;
      return timed(() => thread.turn(n));
    };
  };
  const [early, late] = await timeInRounds([next(short, 0), next(long, first)], {
    warmup: 0,
    measured: shortTurns,
  });
  times.push(...late);
  sizes[turns] = storeBytes(long.path);
  await long.check(turns);
  await short.check(shortTurns);
  await long.close();
  await short.close();
  return { times, early, sizes };
}

let shared;

/**
 * Both designs: `times` of the long thread's turns 1-400, `early` of the new thread's turns 1-15 (timed
 * beside turns 386-400), store `sizes` at 100, 200 and 400 turns. Computed on first use.
 */
export function runAgentThreads() {
  shared ??= withTempDir("agent", async (dir) => {
    const ours = await runDesign(oursThread, dir, "ours");
    const plain = await runDesign(plainThread, dir, "plain");
    return { ours, plain };
  });
  return shared;
}
