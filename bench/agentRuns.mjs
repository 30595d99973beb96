// One long thread of 400 turns in askfirst's design and in the plain design, run once and shared by the
// agent-loop and store-size benchmarks (the plain design alone takes most of a minute).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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

export const turns = 400;
export const sizeTurns = [100, 200, 400];
const warmupTurns = 30;

async function runOurs(dir, name, count, measureSizes) {
  const path = join(dir, `${name}.db`);
  const { store, session } = await openBenchSession(path, {
    toolbox: instantToolbox(),
    model: new InstantModel(instantCall),
  });
  const sizes = {};
  try {
    const times = await timeTurns(
      count,
      async (turn) => {
        const result = await session.send("long-thread", `Is pizza-palace open? (${turn})`, {
          actingUser: "henry",
        });
        if (result.calls[0]?.outcome !== "ok") throw new Error(`turn ${turn}: the tool call did not run`);
      },
      { checkpoints: measureSizes ? sizeTurns : [], at: (turn) => void (sizes[turn] = storeBytes(path)) },
    );
    const kept = (await store.transcript.read("long-thread")).length;
    if (kept !== count * 4) throw new Error(`the transcript kept ${kept} messages of ${count * 4}`);
    return { times, sizes };
  } finally {
    await store.close();
  }
}

async function runPlain(dir, name, count, measureSizes) {
  const path = join(dir, `${name}.db`);
  const plain = openPlainGraph(path);
  const sizes = {};
  const times = await timeTurns(
    count,
    (turn) => plain.turn("long-thread", `Is pizza-palace open? (${turn})`),
    { checkpoints: measureSizes ? sizeTurns : [], at: (turn) => void (sizes[turn] = storeBytes(path)) },
  );
  return { times, sizes };
}

let shared;

/** Both designs' per-turn times and store sizes at 100, 200 and 400 turns; computed on first use. */
export function runAgentThreads() {
  shared ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "askfirst-bench-agent-"));
    try {
      // Unmeasured threads first, so the early measured turns do not pay for JIT warm-up.
      await runOurs(dir, "warm-ours", warmupTurns, false);
      await runPlain(dir, "warm-plain", warmupTurns, false);
      const ours = await runOurs(dir, "ours", turns, true);
      const plain = await runPlain(dir, "plain", turns, true);
      return { ours, plain };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  return shared;
}
