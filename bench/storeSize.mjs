// The SQLite store's size after 100, 200 and 400 turns of one thread, against the plain design's.
import { fmtRatio, row } from "./lib.mjs";
import { fmtBytes } from "./agentKit.mjs";
import { runAgentThreads } from "./agentRuns.mjs";

const limit = 10e6;

/** Per-turn growth from 200 to 400 turns against from 100 to 200: near 1 when the store grows linearly. */
export function growthRatio(sizes) {
  const early = (sizes[200] - sizes[100]) / 100;
  const late = (sizes[400] - sizes[200]) / 200;
  return late / early;
}

export async function benchStoreSize() {
  const { ours, plain } = await runAgentThreads();
  const growth = growthRatio(ours.sizes);
  const isLinear = growth >= 0.8 && growth <= 1.25;
  const at = (sizes) => [100, 200, 400].map((turn) => fmtBytes(sizes[turn])).join(" / ");
  return [
    row(
      `store size after 400 turns (at 100 / 200 / 400: ${at(ours.sizes)}; growth 200→400 vs 100→200 per turn: ${fmtRatio(growth)})`,
      fmtBytes(ours.sizes[400]),
      `plain design: ${at(plain.sizes)} (growth ${fmtRatio(growthRatio(plain.sizes))})`,
      fmtRatio(ours.sizes[400] / plain.sizes[400]),
      "≤ 10 MB, growth 0.8-1.25×",
      ours.sizes[400] <= limit && isLinear,
    ),
  ];
}
