import { describe, expect, it } from "vitest";
import { openSession } from "../../../src/agent/session.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../../src/models/scripted.js";
import type { Decision, Reviewer, ReviewRequest, ReviewResponse } from "../../../src/review/decisions.js";
import type { Policy } from "../../../src/review/policy.js";
import { createFakeToolbox } from "../../fixtures/fakeMcp.js";
import { scriptedSessions } from "../../helpers/session.js";

const policy: Policy = {
  rules: [
    { tool: "list_*", tier: "allow" },
    { tool: "pay", when: [{ arg: "to", equals: "mallory" }], tier: "deny", message: "never pay mallory" },
    { tool: "pay", tier: "confirm", message: "money leaves" },
  ],
  default: "notify",
};

/** Answers with fixed decisions and keeps every request it saw. */
class FixedReviewer implements Reviewer {
  readonly name = "rita";
  readonly requests: ReviewRequest[] = [];
  constructor(private readonly answers: Decision[][]) {}
  review(request: ReviewRequest): Promise<ReviewResponse> {
    this.requests.push(request);
    const decisions = this.answers.shift() ?? request.actionRequests.map(() => ({ type: "reject" as const }));
    return Promise.resolve({ decisions, reviewer: this.name });
  }
}

const setUp = scriptedSessions(policy);

const payments = [
  { name: "pay", args: { to: "ann", amount: 5 } },
  { name: "pay", args: { to: "bob", amount: 7 } },
  { name: "pay", args: { to: "cid", amount: 9 } },
  { name: "pay", args: { to: "mallory", amount: 1 } },
  { name: "list_items", args: {} },
];

describe("the review graph", () => {
  it("reviews every call of a message in one interrupt; only approved and edited calls run, as approved", async () => {
    const reviewer = new FixedReviewer([
      [
        { type: "approve" },
        { type: "reject", message: "bob was paid already" },
        { type: "edit", editedAction: { name: "pay", args: { to: "cid", amount: 3 } } },
      ],
    ]);
    const { session, received, store } = await setUp([{ tool_calls: payments }, { text: "done" }], reviewer);
    const result = await session.send("t1", "pay everyone", { actingUser: "henry" });

    expect(reviewer.requests).toHaveLength(1);
    expect(reviewer.requests[0]?.actionRequests.map((action) => action.args.to)).toEqual([
      "ann",
      "bob",
      "cid",
    ]);
    expect(reviewer.requests[0]?.context.actingUser).toBe("henry");
    expect(received).toEqual([
      { tool: "pay", user: "henry", args: { to: "ann", amount: 5 } },
      { tool: "pay", user: "henry", args: { to: "cid", amount: 3 } },
      { tool: "list_items", user: "henry", args: {} },
    ]);
    expect(result.status).toBe("done");
    expect(result.replies).toEqual(["done"]);
    const byTo = (to: string) => result.calls.find((call) => call.args.to === to);
    expect(byTo("bob")?.decision).toBe("rejected");
    expect(byTo("mallory")?.decision).toBe("denied_by_policy");
    expect(byTo("cid")?.decision).toBe("edited");

    const rejection = result.messages.find(
      (message) => message.type === "tool" && String(message.data.content).includes("bob was paid already"),
    );
    expect(rejection?.data).toMatchObject({ status: "error" });
    const audit = await store.audit.list({ threadId: "t1" });
    expect(audit.map((entry) => entry.decision).sort()).toEqual(
      ["allowed", "approved", "denied_by_policy", "edited", "rejected"].sort(),
    );
    const edited = audit.find((entry) => entry.decision === "edited");
    expect(edited?.executedArgsHash).not.toBe(edited?.argsHash);
    expect(audit.every((entry) => entry.actingUser === "henry")).toBe(true);
  });

  it("refuses an edit that makes the call one the policy denies: deny never runs, whoever asks", async () => {
    const reviewer = new FixedReviewer([
      [{ type: "edit", editedAction: { name: "pay", args: { to: "Mallory ", amount: 5 } } }],
    ]);
    const { session, received, store } = await setUp(
      [{ tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] }, { text: "not paid" }],
      reviewer,
    );
    const result = await session.send("t1", "pay ann", { actingUser: "henry" });
    expect(received).toEqual([]);
    expect(result.calls).toMatchObject([
      { decision: "denied_by_policy", outcome: "not_run", reviewer: null },
    ]);
    expect(result.calls[0]?.detail).toMatch(
      /^Denied by policy rule 2 \(pay\): never pay mallory \(as edited by rita: \{"to":"Mallory ","amount":5\}\)/,
    );
    const [record] = await store.audit.list({ threadId: "t1" });
    expect(record).toMatchObject({ decision: "denied_by_policy", outcome: "not_run" });
  });

  it("lets a message take 20 rounds of tool calls, and stops one at 25 saying so, with what ran", async () => {
    const rounds = (count: number): ScriptedTurn[] =>
      Array.from({ length: count }, () => ({ tool_calls: [{ name: "list_items", args: {} }] }));
    const long = await setUp([...rounds(20), { text: "listed twenty times" }], new FixedReviewer([]));
    const done = await long.session.send("t1", "list a lot", { actingUser: "henry" });
    expect(done.replies).toEqual(["listed twenty times"]);
    expect(long.received).toHaveLength(20);
    const endless = await setUp(rounds(40), new FixedReviewer([]));
    const failed = endless.session.send("t2", "list forever", { actingUser: "henry" });
    await expect(failed).rejects.toThrow(/made 25 rounds of tool calls without answering/);
    const ran = Array.from({ length: 25 }, (): unknown =>
      expect.objectContaining({ tool: "list_items", outcome: "ok" }),
    );
    await expect(failed).rejects.toMatchObject({ calls: ran as unknown });
    expect(endless.received).toHaveLength(25);
  });

  it("leaves a review pending, refuses new input meanwhile, and rejects a malformed answer without losing it", async () => {
    const { session, received, store } = await setUp([{ tool_calls: [payments[0]!] }, { text: "paid" }]);
    const first = await session.send("t2", "pay ann", { actingUser: "joe", onReview: "queue" });
    expect(first.status).toBe("pending");
    expect(received).toEqual([]);
    expect((await store.queue.list()).map((review) => review.threadId)).toEqual(["t2"]);
    await expect(session.send("t2", "something else", { actingUser: "joe" })).rejects.toThrow(
      /review waiting/,
    );

    const twoDecisions = {
      decisions: [{ type: "approve" as const }, { type: "approve" as const }],
      reviewer: "x",
    };
    await expect(session.resume("t2", twoDecisions)).rejects.toThrow(/expected 1 decision/);
    const badEdit = {
      decisions: [
        { type: "edit" as const, editedAction: { name: "pay", args: { to: "ann", amount: "lots" } } },
      ],
      reviewer: "x",
    };
    await expect(session.resume("t2", badEdit)).rejects.toThrow(/still pending/);
    expect(await session.pendingReview("t2")).not.toBeNull();
    expect(received).toEqual([]);

    const done = await session.resume("t2", { decisions: [{ type: "approve" }], reviewer: "jane" });
    expect(done.status).toBe("done");
    expect(received).toEqual([{ tool: "pay", user: "joe", args: { to: "ann", amount: 5 } }]);
    expect(await store.queue.list()).toEqual([]);
    const [entry] = await store.audit.list({ threadId: "t2" });
    expect(entry).toMatchObject({ decision: "approved", reviewer: "jane", outcome: "ok" });
    expect(entry?.interruptId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("an always answer grants the tool for the rest of the session, for that user, and a deny still wins", async () => {
    const reviewer = new FixedReviewer([[{ type: "approve", grant: true }]]);
    const turns: ScriptedTurn[] = [
      { tool_calls: [payments[0]!] },
      { text: "one" },
      { tool_calls: [payments[1]!] },
      { text: "two" },
      { tool_calls: [payments[3]!] },
      { text: "three" },
      { tool_calls: [payments[0]!] },
      { text: "four" },
    ];
    const { session, received } = await setUp(turns, reviewer);
    await session.send("t3", "pay ann", { actingUser: "joe" });
    const second = await session.send("t3", "pay bob", { actingUser: "joe" });
    expect(reviewer.requests).toHaveLength(1);
    expect(received.map((call) => call.args.to)).toEqual(["ann", "bob"]);
    expect(second.calls[0]?.rule).toMatch(/granted for this thread by rita \(always\)/);
    const third = await session.send("t3", "pay mallory", { actingUser: "joe" });
    // A deny rule beats a grant; and the grant was joe's, not anyone else's.
    expect(third.calls[0]).toMatchObject({ decision: "denied_by_policy", outcome: "not_run" });
    const henry = await session.send("t3", "pay ann as henry", { actingUser: "henry" });
    expect(henry.status).toBe("done");
    expect(reviewer.requests).toHaveLength(2);
    expect(received.map((call) => `${call.user}:${String(call.args.to)}`)).toEqual(["joe:ann", "joe:bob"]);
  });

  it("an always answer covers the rule its card showed: a call of the tool another rule asks about is asked", async () => {
    const twoRules = scriptedSessions({
      rules: [
        {
          name: "big",
          tool: "pay",
          when: [{ arg: "amount", gt: 100 }],
          tier: "confirm",
          message: "check it",
        },
        { tool: "pay", tier: "confirm" },
      ],
      default: "allow",
    });
    const reviewer = new FixedReviewer([[{ type: "approve", grant: true }], [{ type: "reject" }]]);
    const { session, received } = await twoRules(
      [
        { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
        { text: "one" },
        { tool_calls: [{ name: "pay", args: { to: "bob", amount: 6 } }] },
        { text: "two" },
        { tool_calls: [{ name: "pay", args: { to: "mallory", amount: 100000 } }] },
        { text: "three" },
      ],
      reviewer,
    );
    await session.send("t4", "pay ann", { actingUser: "joe" });
    await session.send("t4", "pay bob", { actingUser: "joe" });
    const big = await session.send("t4", "pay mallory", { actingUser: "joe" });
    expect(reviewer.requests).toHaveLength(2);
    expect(reviewer.requests[1]?.context.actions[0]?.rule).toBe("rule 1 (big)");
    expect(big.calls[0]).toMatchObject({ decision: "rejected", outcome: "not_run" });
    expect(received.map((call) => call.args.to)).toEqual(["ann", "bob"]);
  });

  it("a tool error reaches the model as an error result and is audited as an error", async () => {
    const { session, store } = await setUp(
      [{ tool_calls: [{ name: "fail", args: { why: "closed" } }] }, { text: "sorry" }],
      new FixedReviewer([]),
    );
    const result = await session.send("t4", "try", { actingUser: "joe" });
    expect(result.calls[0]).toMatchObject({
      decision: "notified",
      outcome: "error",
      detail: "refused: closed",
    });
    const [entry] = await store.audit.list({ threadId: "t4" });
    expect(entry).toMatchObject({ outcome: "error", error: "refused: closed" });
  });

  it("arguments that do not fit the tool's schema reach the model as what is wrong, and nothing is sent", async () => {
    const { session, received } = await setUp(
      [{ tool_calls: [{ name: "fail", args: { why: 5 } }] }, { text: "sorry" }],
      new FixedReviewer([]),
    );
    const result = await session.send("t4b", "try", { actingUser: "joe" });
    expect(result.calls[0]).toMatchObject({ outcome: "error" });
    expect(result.calls[0]?.detail).toMatch(
      /^the arguments do not fit fail's schema \(why: .*"string".*\); it did not run$/,
    );
    expect(received).toEqual([]);
  });

  it("keeps a bounded window in the checkpoint while the transcript keeps everything", async () => {
    const turns: ScriptedTurn[] = [];
    for (let index = 0; index < 12; index += 1)
      turns.push({ tool_calls: [{ name: "list_items", args: {} }] }, { text: `reply ${index}` });
    const { session, store } = await setUp(turns, undefined, 8);
    for (let index = 0; index < 12; index += 1)
      await session.send("t5", `look ${index}`, { actingUser: "joe" });
    const checkpoint = await store.checkpointer.getTuple({ configurable: { thread_id: "t5" } });
    const windowed = checkpoint?.checkpoint.channel_values.messages as { getType(): string }[];
    expect(windowed.length).toBeLessThanOrEqual(8);
    expect(windowed[0]?.getType()).toBe("human");
    expect(await store.transcript.read("t5")).toHaveLength(48);
    expect((await session.history("t5"))[0]?.content).toBe("look 0");
  });

  it("with durability exit, a pause is still checkpointed: a new session on the same store resumes it", async () => {
    const { session, received, store } = await setUp([{ tool_calls: [payments[0]!] }, { text: "paid" }]);
    await session.send("t6", "pay ann", { actingUser: "joe", onReview: "queue" });
    const fake = createFakeToolbox();
    const later = openSession({
      store,
      model: new ScriptedChatModel([{ text: "paid later" }], "later"),
      toolbox: fake.toolbox,
      policy,
    });
    const waiting = await later.pendingReview("t6");
    expect(waiting?.request.actionRequests[0]?.args).toEqual({ to: "ann", amount: 5 });
    const result = await later.resume("t6", { decisions: [{ type: "approve" }], reviewer: "jane" });
    expect(result.replies).toEqual(["paid later"]);
    expect(received).toEqual([]);
    expect(fake.received).toEqual([{ tool: "pay", user: "joe", args: { to: "ann", amount: 5 } }]);
  });

  it("connects once per acting user, and each user's calls reach the server as that user", async () => {
    const turns: ScriptedTurn[] = [
      { tool_calls: [{ name: "list_items", args: {} }] },
      { text: "a" },
      { tool_calls: [{ name: "list_items", args: {} }] },
      { text: "b" },
      { tool_calls: [{ name: "list_items", args: {} }] },
      { text: "c" },
    ];
    const { session, received, connectedUsers } = await setUp(turns);
    await session.send("t7", "look", { actingUser: "henry" });
    await session.send("t7", "look", { actingUser: "joe" });
    await session.send("t7", "look", { actingUser: "henry" });
    expect(connectedUsers).toEqual(["henry", "joe"]);
    expect(received.map((call) => call.user)).toEqual(["henry", "joe", "henry"]);
  });

  it("audits secrets masked, with the hash of the exact arguments", async () => {
    const { session, store } = await setUp([
      { tool_calls: [{ name: "list_items", args: { api_key: "sk-live-123", filter: { password: "pw" } } }] },
      { text: "ok" },
    ]);
    const result = await session.send("t8", "look", { actingUser: "joe" });
    const [entry] = await store.audit.list({ threadId: "t8" });
    expect(entry?.args).toEqual({ api_key: "***", filter: { password: "***" } });
    expect(entry?.argsHash).toBe(
      store.audit.digestArgs({ api_key: "sk-live-123", filter: { password: "pw" } }),
    );
    expect(JSON.stringify(result.calls)).not.toContain("sk-live-123");
  });
});
