// Agent-loop overhead per turn late in a long thread (turn 400) against early (turn 10), with a model and a
// tool that answer instantly, against the plain design measured in the same run.
import { fmtMs, fmtRatio, median, row } from "./lib.mjs";
import { runAgentThreads, turns } from "./agentRuns.mjs";

/** Median of the 11 turns centred on `turn` (1-based), clipped to the run. */
function around(times, turn) {
  const end = Math.min(times.length, turn + 5);
  return median(times.slice(Math.max(0, end - 11), end));
}

export async function benchAgentLoop() {
  const { ours, plain } = await runAgentThreads();
  const early = around(ours.times, 10);
  const late = around(ours.times, turns);
  const plainEarly = around(plain.times, 10);
  const plainLate = around(plain.times, turns);
  const ratio = late / early;
  return [
    row(
      `agent loop per turn at turn ${turns} vs turn 10 (instant model and tool, SQLite; median of 11 turns)`,
      fmtMs(late),
      `turn 10: ${fmtMs(early)}; plain design: ${fmtMs(plainEarly)} → ${fmtMs(plainLate)} (${fmtRatio(plainLate / plainEarly)})`,
      fmtRatio(ratio),
      "≤ 1.5×",
      ratio <= 1.5,
    ),
  ];
}
