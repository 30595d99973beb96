import { afterEach, describe, expect, it } from "vitest";
import { openSession } from "../../../src/agent/session.js";
import { ScriptedChatModel } from "../../../src/models/scripted.js";
import type { Reviewer, ReviewRequest, ReviewResponse } from "../../../src/review/decisions.js";
import type { Policy } from "../../../src/review/policy.js";
import { openStore } from "../../../src/store/open.js";
import type { Store } from "../../../src/store/types.js";
import { createFakeToolbox } from "../../fixtures/fakeMcp.js";

const policy: Policy = { rules: [{ tool: "pay", tier: "confirm" }], default: "allow" };
const payAnn = { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] };

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A reviewer who is slow to answer: before it approves, `meanwhile` runs (another reviewer acting first). */
class SlowReviewer implements Reviewer {
  readonly name = "slow";
  constructor(private readonly meanwhile: () => Promise<void>) {}
  async review(request: ReviewRequest): Promise<ReviewResponse> {
    await this.meanwhile();
    return {
      decisions: request.actionRequests.map(() => ({ type: "approve" as const })),
      reviewer: this.name,
    };
  }
}

describe("a review asked in the session that queued it", () => {
  it("is refused to its own reviewer when another reviewer answered it meanwhile, and the call runs once", async () => {
    store = await openStore("memory", { cwd: process.cwd() });
    const fake = createFakeToolbox();
    // Both sessions play the same script, from one shared cursor: the first asks, the second answers.
    const model = new ScriptedChatModel([payAnn, { text: "paid" }], "two sessions");
    const elsewhere = openSession({ store, model, toolbox: fake.toolbox, policy });
    let answeredElsewhere: Awaited<ReturnType<typeof elsewhere.resume>> | undefined;
    const asking = openSession({
      store,
      model,
      toolbox: fake.toolbox,
      policy,
      reviewer: new SlowReviewer(async () => {
        answeredElsewhere = await elsewhere.resume("t1", {
          decisions: [{ type: "reject" }],
          reviewer: "quick",
        });
      }),
    });

    await expect(asking.send("t1", "pay ann", { actingUser: "joe" })).rejects.toThrow(
      /already answered by someone else/,
    );
    expect(answeredElsewhere?.calls[0]).toMatchObject({ decision: "rejected", reviewer: "quick" });
    expect(fake.received).toEqual([]);
    expect(await store.queue.list()).toEqual([]);
    expect(await asking.pendingReview("t1")).toBeNull();
    const audit = await store.audit.list({ threadId: "t1" });
    expect(audit.map((entry) => [entry.decision, entry.reviewer])).toEqual([["rejected", "quick"]]);
    await fake.toolbox.close();
  });
});
