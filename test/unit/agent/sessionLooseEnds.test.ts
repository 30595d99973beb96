import { afterEach, describe, expect, it } from "vitest";
import { openSession } from "../../../src/agent/session.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../../src/models/scripted.js";
import type { Decision, Reviewer, ReviewRequest, ReviewResponse } from "../../../src/review/decisions.js";
import type { Policy } from "../../../src/review/policy.js";
import { openStore } from "../../../src/store/open.js";
import type { Store } from "../../../src/store/types.js";
import { createFakeToolbox } from "../../fixtures/fakeMcp.js";

const policy: Policy = {
  rules: [{ tool: "pay", tier: "confirm", message: "money leaves" }],
  default: "allow",
};

/** A person at a terminal who answers some calls and lets the clock run out on others. */
class PartlyAnsweringReviewer implements Reviewer {
  readonly name = "rita";
  constructor(private readonly decisions: Decision[]) {}
  review(_request: ReviewRequest): Promise<ReviewResponse> {
    return Promise.resolve({ decisions: this.decisions, reviewer: this.name });
  }
}

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function setUp(turns: ScriptedTurn[], reviewer?: Reviewer) {
  store = await openStore("memory", { cwd: process.cwd() });
  const fake = createFakeToolbox();
  const session = openSession({
    store,
    model: new ScriptedChatModel(turns, "test turns"),
    toolbox: fake.toolbox,
    policy,
    ...(reviewer ? { reviewer } : {}),
  });
  return { session, store, ...fake };
}

describe("a review that timed out", () => {
  it("names no reviewer for the calls nobody answered in time, and the person for the ones they did", async () => {
    const reviewer = new PartlyAnsweringReviewer([
      { type: "approve" },
      { type: "reject", message: "no answer within 60 seconds (timed out)", timedOut: true },
    ]);
    const { session, store, received } = await setUp(
      [
        {
          tool_calls: [
            { name: "pay", args: { to: "ann", amount: 5 } },
            { name: "pay", args: { to: "bob", amount: 7 } },
          ],
        },
        { text: "paid ann" },
      ],
      reviewer,
    );
    const result = await session.send("t-timeout", "pay both", { actingUser: "joe" });
    expect(received.map((call) => call.args.to)).toEqual(["ann"]);
    expect(result.calls.map((call) => [call.decision, call.reviewer])).toEqual([
      ["timed_out", null],
      ["approved", "rita"],
    ]);
    const audit = await store.audit.list({ threadId: "t-timeout" });
    expect(audit.map((record) => [record.args.to, record.decision, record.reviewer])).toEqual([
      ["bob", "timed_out", null],
      ["ann", "approved", "rita"],
    ]);
  });
});
