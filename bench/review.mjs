// A review round trip (the call needs a person: interrupt, queue, claim, resume with approve, run) against
// the same turn with the call allowed by policy. Same server, tool, model and store kind; the reviewer
// answers at once, so the difference is what the review machinery costs.
import { join } from "node:path";
import { openBareGraph } from "./agentKit.mjs";
import { fmtMs, fmtRatio, median, row, settling, timeFirstAndSteady, withTempDir } from "./lib.mjs";
import { openDemoSession, turnRunner } from "./mcpTurn.mjs";

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
      const { steady, first } = ours;
      // What the target leaves for a pause, against the least LangGraph itself spends on one (no storage).
      const budget = 0.2 * steady.allowed;
      const least = memory.steady.reviewed - memory.steady.allowed;
      return [
        row(
          `review round trip: interrupt, approve, resume, run (stdio MCP, median of ${measured} after ${settling.first + settling.settle} turns)`,
          fmtMs(steady.reviewed),
          `same turn, call allowed: ${fmtMs(steady.allowed)} (the review adds ${fmtMs(steady.reviewed - steady.allowed)}); the first ${settling.first} turns: ${versus(first)}; LangGraph alone in this shape: interrupt and resume ${versus(floor.steady)}, with checkpoints in memory ${versus(memory.steady)}. The target leaves a pause ${fmtMs(budget)}; LangGraph alone, with no storage, spends ${fmtMs(least)} on one${least > budget ? ", more than that" : ""}`,
          fmtRatio(steady.ratio),
          "≤ 1.2×",
          steady.ratio <= 1.2,
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

/** Medians of an allowed and a reviewed turn timed in rounds together, and their ratio: in the first rounds and once settled. */
async function timedPair(allowedTurn, reviewedTurn) {
  const [allowed, reviewed] = await timeFirstAndSteady([allowedTurn, reviewedTurn], {
    ...settling,
    measured,
  });
  const pair = (part) => {
    const medians = { allowed: median(allowed[part]), reviewed: median(reviewed[part]) };
    return { ...medians, ratio: medians.reviewed / medians.allowed };
  };
  return { first: pair("first"), steady: pair("steady") };
}
