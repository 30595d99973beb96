// A review round trip (the call needs a person: interrupt, queue, claim, resume with approve, run) against
// the same turn with the call allowed by policy. Same server, tool, model and store kind; the reviewer
// answers at once, so the difference is what the review machinery costs.
import { join } from "node:path";
import { openBareGraph } from "./agentKit.mjs";
import { fmtMs, fmtRatio, median, row, withTempDir } from "./lib.mjs";
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
      const plain = [];
      const withReview = [];
      const floor = { plain: [], withReview: [] };
      const memory = { plain: [], withReview: [] };
      for (let i = 0; i < warmup + measured; i += 1) {
        const a = await allowedTurn();
        const r = await reviewedTurn();
        const bareA = await bareAllowed();
        const bareR = await bareReviewed();
        const memoryA = await memoryAllowed();
        const memoryR = await memoryReviewed();
        if (i < warmup) continue;
        plain.push(a);
        withReview.push(r);
        floor.plain.push(bareA);
        floor.withReview.push(bareR);
        memory.plain.push(memoryA);
        memory.withReview.push(memoryR);
      }
      const pending = await reviewed.store.queue.list();
      if (pending.length > 0) throw new Error(`${pending.length} reviews were left in the queue`);
      const ratio = median(withReview) / median(plain);
      const floorRatio = median(floor.withReview) / median(floor.plain);
      const memoryRatio = median(memory.withReview) / median(memory.plain);
      return [
        row(
          `review round trip: interrupt, approve, resume, run (stdio MCP, median of ${measured})`,
          fmtMs(median(withReview)),
          `same turn, call allowed: ${fmtMs(median(plain))}; LangGraph alone in this shape: interrupt and resume ${fmtMs(median(floor.withReview))} vs ${fmtMs(median(floor.plain))} (${fmtRatio(floorRatio)}), with checkpoints in memory ${fmtMs(median(memory.withReview))} vs ${fmtMs(median(memory.plain))} (${fmtRatio(memoryRatio)})`,
          fmtRatio(ratio),
          "≤ 1.2×",
          ratio <= 1.2,
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
