import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/store/types.js";
import { postgresHarness } from "../unit/store/harness.js";
import { createReviewWorld, queueSendMoney, runOnTerminal, type ReviewWorld } from "./reviewFixtures.js";

describe("askfirst chat --on-review queue, then askfirst review from another process", () => {
  let world: ReviewWorld;
  let threadId: string;

  beforeEach(async () => {
    world = createReviewWorld();
    const asked = await queueSendMoney(world, { flags: ["-u", "joe"] });
    expect(asked.result.code).toBe(3);
    threadId = asked.threadId;
    expect(threadId).toMatch(/^thread-/);
  });
  afterEach(() => world.cleanup());

  it("leaves the review pending, visible to askfirst pending, with nothing run", async () => {
    const pending = await world.cli(["pending", "--json"]);
    const views = JSON.parse(pending.stdout) as {
      threadId: string;
      actingUser: string;
      calls: { tool: string }[];
    }[];
    expect(views).toMatchObject([{ threadId, actingUser: "joe", calls: [{ tool: "send_money" }] }]);
    expect(world.serverCalls()).toEqual([]);
  });

  it("--approve runs the call once, as the acting user, and prints what the agent said", async () => {
    const result = await world.cli([
      "review",
      threadId,
      "--approve",
      "--reviewer",
      "mom",
      "-m",
      world.model("after", [{ text: "Sent 5 to ann." }]),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("send_money on recorder  (confirm:");
    expect(result.stdout).toContain("approved by mom");
    expect(result.stdout).toContain("agent: Sent 5 to ann.");
    expect(world.serverCalls()).toEqual([
      { tool: "send_money", user: "joe", args: { to: "ann", amount: 5 } },
    ]);
    const audit = JSON.parse((await world.cli(["audit", "--json"])).stdout) as AuditRecord[];
    expect(audit).toMatchObject([
      { threadId, decision: "approved", reviewer: "mom", actingUser: "joe", outcome: "ok" },
    ]);
    expect((await world.cli(["pending"])).stdout).toBe("No reviews are pending.\n");
  });

  it("--interrupt answers only the review askfirst pending showed", async () => {
    const [view] = JSON.parse((await world.cli(["pending", "--json"])).stdout) as { interruptId: string }[];
    expect((await world.cli(["pending"])).stdout).toContain(`--interrupt ${view?.interruptId}`);
    const other = "0".repeat(32);
    const refused = await world.cli(["review", threadId, "--interrupt", other, "--approve"]);
    expect(refused.stderr).toContain(`, not on ${other} (answered already, or never asked in this thread)`);
    expect(refused.code).toBe(2);
    const malformed = await world.cli(["review", threadId, "--interrupt", "deadbeef", "--approve"]);
    expect(malformed.stderr.trim()).toBe(
      'askfirst: --interrupt "deadbeef" is not a review id: give the 32 hex digits askfirst pending shows',
    );
    expect(malformed.code).toBe(2);
    expect(world.serverCalls()).toEqual([]);
    const result = await world.cli([
      ...["review", threadId, "--interrupt", view?.interruptId ?? "", "--approve"],
      ...["-m", world.model("after", [{ text: "Sent." }])],
    ]);
    expect(result.code).toBe(0);
    expect(world.serverCalls()).toHaveLength(1);
  });

  it("--reject tells the model why, and runs nothing", async () => {
    const result = await world.cli([
      "review",
      threadId,
      "--reject",
      "ann was paid yesterday",
      "-m",
      world.model("after", [{ text: "Understood, I did not send it." }]),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ann was paid yesterday");
    expect(world.serverCalls()).toEqual([]);
    const audit = JSON.parse((await world.cli(["audit", "--json"])).stdout) as AuditRecord[];
    expect(audit).toMatchObject([{ decision: "rejected", outcome: "not_run" }]);
  });

  it("chat -t with no terminal and no answers file leaves the waiting review to its reviewers (exit 3)", async () => {
    const result = await world.cli([
      "chat",
      "-t",
      threadId,
      "-q",
      "what happened?",
      "-m",
      world.model("t", []),
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("This thread has a review waiting");
    expect(result.stderr).toContain(
      `not sent: the query; the thread waits on that review first (askfirst review ${threadId})`,
    );
    expect(result.stdout).not.toContain("rejected");
    expect(world.serverCalls()).toEqual([]);
    expect((await world.cli(["pending", "--json"])).stdout).toContain(threadId);
    expect(JSON.parse((await world.cli(["audit", "--json"])).stdout)).toEqual([]);
  });

  it("--edit runs the call with the edited arguments", async () => {
    const result = await world.cli([
      "review",
      threadId,
      "--edit",
      '{"to": "ann", "amount": 3}',
      "-m",
      world.model("after", [{ text: "Sent 3." }]),
    ]);
    expect(result.code).toBe(0);
    expect(world.serverCalls()).toEqual([
      { tool: "send_money", user: "joe", args: { to: "ann", amount: 3 } },
    ]);
    // The trail shows what the edit changed: the arguments asked for, and those it ran with.
    const audit = await world.cli(["audit", "--thread", threadId]);
    expect(audit.stdout).toMatch(/args \{"to":"ann","amount":5\}/);
    expect(audit.stdout).toMatch(/ran with \{"to":"ann","amount":3\}/);
    const [record] = JSON.parse((await world.cli(["audit", "--json"])).stdout) as AuditRecord[];
    expect(record).toMatchObject({ decision: "edited", editedArgs: { to: "ann", amount: 3 } });
  });

  it("--edit with arguments that do not fit the tool is refused (exit 2), naming why; the review stays", async () => {
    const result = await world.cli([
      ...["review", threadId, "--edit", '{"to": "ann", "amount": "three"}'],
      ...["-m", world.model("after", [{ text: "Sent." }])],
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /that answer does not fit the review \(decisions\.0: edited arguments: amount: .*number/,
    );
    expect(result.stderr).toContain("it is still pending");
    expect(world.serverCalls()).toEqual([]);
    expect((await world.cli(["pending", "--json"])).stdout).toContain(threadId);
    expect(JSON.parse((await world.cli(["audit", "--json"])).stdout)).toEqual([]);
  });

  it("applies exactly one of two reviewers answering at once; the other is told", async () => {
    const answer = (who: string) =>
      world.cli([
        "review",
        threadId,
        "--approve",
        "--reviewer",
        who,
        "-m",
        world.model(who, [{ text: "Done." }]),
      ]);
    const results = await Promise.all([answer("mom"), answer("dad")]);
    expect(results.map((result) => result.code).sort()).toEqual([0, 2]);
    const loser = results.find((result) => result.code === 2);
    expect(loser?.stderr).toMatch(/answered|being answered|no review waiting/);
    expect(world.serverCalls()).toHaveLength(1);
  });

  it("asks the person at the terminal when no decision flag is given", async () => {
    const result = await runOnTerminal(
      world,
      ["review", threadId, "--reviewer", "mom", "-m", world.model("after", [{ text: "Not sent." }])],
      [
        { after: /Run send_money\?/, type: "no" },
        { after: /Reason/, type: "ann has enough" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain("agent: Not sent.");
    expect(world.serverCalls()).toEqual([]);
    const audit = JSON.parse((await world.cli(["audit", "--json"])).stdout) as AuditRecord[];
    expect(audit).toMatchObject([{ decision: "rejected", reviewer: "mom" }]);
    const history = await world.cli(["chat", "-t", threadId, "-m", world.model("none", [{ text: "-" }])]);
    expect(history.stdout).toContain("ann has enough");
  });

  it("does not take keys typed before the card was shown as its answer", async () => {
    const result = await runOnTerminal(
      world,
      ["review", threadId, "--reviewer", "mom", "-m", world.model("after", [{ text: "Not sent." }])],
      [
        { after: /not taken as an answer: "yes"[\s\S]*Run send_money\?/, type: "no" },
        { after: /Reason/, type: "not yet" },
      ],
      { typedFirst: "yes\r" },
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain("agent: Not sent.");
    expect(world.serverCalls()).toEqual([]);
    const audit = JSON.parse((await world.cli(["audit", "--json"])).stdout) as AuditRecord[];
    expect(audit).toMatchObject([{ decision: "rejected", reviewer: "mom", outcome: "not_run" }]);
  });

  it("answers a review whose queued copy is damaged from the thread itself, approving only what it asks", async () => {
    const db = new Database(join(world.folder, "store.db"));
    db.prepare("UPDATE askfirst_reviews SET request = 'not json' WHERE thread_id = ?").run(threadId);
    db.close();
    expect((await world.cli(["pending"])).stdout).toContain(
      "unreadable here (its stored request is not valid JSON)",
    );
    const result = await world.cli([
      ...["review", threadId, "--approve"],
      ...["-m", world.model("after", [{ text: "Sent." }])],
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('args {"to":"ann","amount":5}');
    expect(world.serverCalls()).toEqual([
      { tool: "send_money", user: "joe", args: { to: "ann", amount: 5 } },
    ]);
    expect((await world.cli(["pending"])).stdout).toBe("No reviews are pending.\n");
  });

  it("says so, exit 2, for a thread with no review and for two decisions at once", async () => {
    const none = await world.cli([
      "review",
      "thread-nope",
      "--approve",
      "-m",
      world.model("x", [{ text: "x" }]),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("thread thread-nope has no review waiting");
    const nobody = await world.cli(["review", threadId, "-m", world.model("y", [{ text: "y" }])]);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain("no terminal to ask at");
    expect((await world.cli(["pending", "--json"])).stdout).toContain(threadId);
    const both = await world.cli(["review", threadId, "--approve", "--reject", "no"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      "choose one of --approve, --reject <reason>, --edit <json> or --answers <file>",
    );
    expect(world.serverCalls()).toEqual([]);
  });
});

describe("a queued review past its deadline", () => {
  let world: ReviewWorld;
  let threadId: string;

  beforeEach(async () => {
    world = createReviewWorld();
    const asked = await queueSendMoney(world, { flags: ["--review-timeout", "1"] });
    expect(asked.result.code).toBe(3);
    threadId = asked.threadId;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
  });
  afterEach(() => world.cleanup());

  it("is rejected as timed out by askfirst review, even with --approve, which exits 2: it was not applied", async () => {
    const result = await world.cli([
      "review",
      threadId,
      "--approve",
      "-m",
      world.model("after", [{ text: "OK." }]),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the review had expired, so the answer given here was not applied");
    expect(result.stdout).toContain("deadline has passed");
    expect(result.stdout).toContain("timed out");
    expect(world.serverCalls()).toEqual([]);
    const audit = JSON.parse((await world.cli(["audit", "--json"])).stdout) as AuditRecord[];
    expect(audit).toMatchObject([{ threadId, decision: "timed_out", reviewer: null, outcome: "not_run" }]);
    expect(result.stdout).not.toMatch(/timed out by/);
  });

  it("is rejected as timed out by chat -t before anyone is asked", async () => {
    const result = await world.cli([
      "chat",
      "-t",
      threadId,
      "--answers",
      world.answers("yes", ["yes"]),
      "-m",
      world.model("after", [{ text: "It timed out." }]),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Its deadline has passed");
    expect(world.serverCalls()).toEqual([]);
    const audit = JSON.parse((await world.cli(["audit", "--json"])).stdout) as AuditRecord[];
    expect(audit).toMatchObject([{ decision: "timed_out", reviewer: null }]);
  });
});

describe("queue and review on PostgreSQL", () => {
  const harness = postgresHarness("review");
  afterAll(() => harness.cleanup());

  it("answers from a second process a review queued by the first", async () => {
    const world = createReviewWorld();
    world.store = harness.spec as string;
    try {
      const { result: asked, threadId } = await queueSendMoney(world, { model: "a" });
      expect(asked.code).toBe(3);
      const pending = JSON.parse((await world.cli(["pending", "--json"])).stdout) as { threadId: string }[];
      expect(pending.map((view) => view.threadId)).toEqual([threadId]);
      const result = await world.cli([
        "review",
        threadId,
        "--approve",
        "-m",
        world.model("b", [{ text: "Sent." }]),
      ]);
      expect(result.code).toBe(0);
      expect(world.serverCalls()).toHaveLength(1);
      expect((await world.cli(["audit", "--verify"])).stdout).toContain("intact: 1 record,");
    } finally {
      world.cleanup();
    }
  });
});
