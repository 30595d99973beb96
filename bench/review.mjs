// A review round trip (the call needs a person: interrupt, queue, claim, resume with approve, run) against
// the same turn with the call allowed by policy. Same server, tool, model and store kind; the reviewer
// answers at once, so the difference is what the review machinery costs.
import { join } from "node:path";
import { openBareGraph } from "./agentKit.mjs";
import { fmtMs, fmtRatio, median, row, timeInRounds, withTempDir } from "./lib.mjs";
import { openDemoSession, turnRunner } from "./mcpTurn.mjs";

const warmup = 20;
const measured = 150;

const instantApprover = {
  name: "rita",
  review: (request) =>
    Promise.resolve({ decisions: request.actionRequests.map(() => ({ type: "approve" })), reviewer: "rita" }),
};

export async function benchReview() {
  return withTempDir("review", async (dir) => {
    const rule = (tier) => ({ rules: [{ tool: "check_permission", tier }], default: "confirm" });
    const allowed = await openDemoSession(dir, "allowed", rule("allow"));
    const reviewed = await openDemoSession(dir, "reviewed", rule("confirm"), instantApprover);
    try {
      const allowedTurn = turnRunner(allowed.session, "allowed-thread", "allowed");
      const reviewedTurn = turnRunner(reviewed.session, "reviewed-thread", "approved");
      const bareAllowed = openBareGraph(join(dir, "bare-allowed.db"), { review: false });
      const bareReviewed = openBareGraph(join(dir, "bare-reviewed.db"), { review: true });
      const memoryAllowed = openBareGraph(null, { review: false });
      const memoryReviewed = openBareGraph(null, { review: true });
      // Ours and each floor are timed in rounds of their own pair, so that no figure carries another's cost.
      const ours = await timedPair(allowedTurn, reviewedTurn);
      const floor = await timedPair(bareAllowed, bareReviewed);
      const memory = await timedPair(memoryAllowed, memoryReviewed);
      const pending = await reviewed.store.queue.list();
      if (pending.length > 0) throw new Error(`${pending.length} reviews were left in the queue`);
      const versus = (pair) =>
        `${fmtMs(pair.reviewed)} vs ${fmtMs(pair.allowed)} (${fmtRatio(pair.ratio)}, +${fmtMs(pair.reviewed - pair.allowed)})`;
      return [
        row(
          `review round trip: interrupt, approve, resume, run (stdio MCP, median of ${measured})`,
          fmtMs(ours.reviewed),
          `same turn, call allowed: ${fmtMs(ours.allowed)} (the review adds ${fmtMs(ours.reviewed - ours.allowed)}); LangGraph alone in this shape: interrupt and resume ${versus(floor)}, with checkpoints in memory ${versus(memory)}`,
          fmtRatio(ours.ratio),
          "≤ 1.2×",
          ours.ratio <= 1.2,
        ),
      ];
    } finally {
      for (const opened of [allowed, reviewed]) {
        await opened.toolbox.close();
        await opened.store.close();
      }
    }
  });
}

/** Medians of an allowed and a reviewed turn timed in rounds together, and their ratio. */
async function timedPair(allowedTurn, reviewedTurn) {
  const [allowed, reviewed] = await timeInRounds([allowedTurn, reviewedTurn], { warmup, measured });
  const pair = { allowed: median(allowed), reviewed: median(reviewed) };
  return { ...pair, ratio: pair.reviewed / pair.allowed };
}
