// A whole turn whose one tool call is auto-allowed and runs over stdio MCP on the built-in server
// (`askfirst serve --demo family-food`, check_permission), against the bare MCP call alone. Both are
// timed in rounds together (timeInRounds), so a busy moment on the machine lands on both, and judged once V8 has
// settled on the code (see `settling` in lib.mjs); the first turns are printed beside it.
import { join } from "node:path";
import { createToolbox } from "../dist/mcp/connect.js";
import { builtInServer } from "../dist/mcp/servers.js";
import { InstantModel, openBareGraph, openBenchSession } from "./agentKit.mjs";
import { cliPath, fmtMs, median, nowMs, row, settling, timeFirstAndSteady, withTempDir } from "./lib.mjs";
import { callTimer, connectStdio } from "./mcpClient.mjs";

export const checkCall = {
  name: "check_permission",
  args: { action: "read", resource_instance: "pizza-palace" },
};
const measured = 200;

/** A session on the built-in demo server over stdio, acting as henry. The caller closes both. */
export async function openDemoSession(dir, name, policy, reviewer) {
  const toolbox = createToolbox([builtInServer({ demo: "family-food", data: join(dir, `${name}-data`) })]);
  const opened = await openBenchSession(join(dir, `${name}.db`), {
    toolbox,
    model: new InstantModel(checkCall),
    policy,
    reviewer,
  });
  return { ...opened, toolbox };
}

/** Runs `count` turns in one thread and checks each ran its tool call; returns the time of each. */
export function turnRunner(session, threadId, expected) {
  let turn = 0;
  return async () => {
    turn += 1;
    const started = nowMs();
    const result = await session.send(threadId, `Can I read pizza-palace? (${turn})`, {
      actingUser: "henry",
    });
    const elapsed = nowMs() - started;
    const call = result.calls.find((item) => item.outcome === "ok");
    if (result.status !== "done" || call?.decision !== expected)
      throw new Error(
        `turn ${turn}: expected one ${expected} call that ran, got ${JSON.stringify(result.calls)}`,
      );
    return elapsed;
  };
}

export async function benchMcpTurn() {
  return withTempDir("mcp-turn", async (dir) => {
    const policy = { rules: [{ tool: "check_permission", tier: "allow" }], default: "confirm" };
    const { store, session, toolbox } = await openDemoSession(dir, "turns", policy);
    const bare = await connectStdio(
      process.execPath,
      [cliPath, "serve", "--demo", "family-food", "--data", join(dir, "bare-data")],
      { ASKFIRST_USER: "henry" },
    );
    try {
      const turn = turnRunner(session, "mcp-thread", "allowed");
      const floorTurn = openBareGraph(join(dir, "bare-graph.db"), { review: false });
      const [calls, turns] = await timeFirstAndSteady(
        [callTimer(bare, checkCall.name, checkCall.args), turn],
        { ...settling, measured },
      );
      const [floor] = await timeFirstAndSteady([floorTurn], { ...settling, measured });
      const overhead = median(turns.steady) - median(calls.steady);
      const floorTurnMs = median(floor.steady);
      const firstOverhead = median(turns.first) - median(calls.first);
      return [
        row(
          `turn with one auto-allowed call over stdio MCP (check_permission, median of ${measured} after ${settling.first + settling.settle} turns)`,
          fmtMs(median(turns.steady)),
          `bare MCP call: ${fmtMs(median(calls.steady))}; overhead ${fmtMs(overhead)}; LangGraph alone in this shape, no tool: ${fmtMs(floorTurnMs)}${floorTurnMs > 5 ? ", more than the target's 5 ms by itself" : ""}. The session's first ${settling.first} turns: ${fmtMs(median(turns.first))}, bare call ${fmtMs(median(calls.first))}, overhead ${fmtMs(firstOverhead)}; LangGraph alone ${fmtMs(median(floor.first))}`,
          `+${fmtMs(overhead)}`,
          "overhead ≤ 5 ms",
          overhead <= 5,
        ),
      ];
    } finally {
      await bare.close();
      await toolbox.close();
      await store.close();
    }
  });
}
