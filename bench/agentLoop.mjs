// Agent-loop overhead per turn late in a long thread (turns 390-400) against early in a new one (turns
// 5-15), timed in alternation, with a model and a tool that answer instantly; the plain design likewise.
import { fmtMs, fmtRatio, median, row } from "./lib.mjs";
import { runAgentThreads, turns } from "./agentRuns.mjs";

/** Medians of the 11 turns around turn 10 and of the last 11 turns. */
function figures({ times, early }) {
  return { early: median(early.slice(4, 15)), late: median(times.slice(turns - 11, turns)) };
}

export async function benchAgentLoop() {
  const threads = await runAgentThreads();
  const ours = figures(threads.ours);
  const plain = figures(threads.plain);
  const ratio = ours.late / ours.early;
  return [
    row(
      `agent loop per turn at turn ${turns} vs turn 10 (instant model and tool, SQLite; medians of 11 turns)`,
      fmtMs(ours.late),
      `turn 10: ${fmtMs(ours.early)}; plain design: ${fmtMs(plain.early)} → ${fmtMs(plain.late)} (${fmtRatio(plain.late / plain.early)})`,
      fmtRatio(ratio),
      "≤ 1.5×",
      ratio <= 1.5,
    ),
  ];
}
