import { afterEach, describe, expect, it } from "vitest";
import { openSession } from "../../../../src/agent/session.js";
import type { Session } from "../../../../src/agent/sessionTypes.js";
import { answerReview, flagDecisions } from "../../../../src/cli/commands/answerReview.js";
import type { ReviewOptions } from "../../../../src/cli/commands/review.js";
import { UsageError } from "../../../../src/errors.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../../../src/models/scripted.js";
import type { ReviewResponse } from "../../../../src/review/decisions.js";
import { openStore } from "../../../../src/store/open.js";
import type { PendingReview, Store } from "../../../../src/store/types.js";
import { createFakeToolbox } from "../../../fixtures/fakeMcp.js";

const start = Date.UTC(2026, 10, 21, 9, 0, 0);
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A thread whose last message asked to pay ann 5, waiting for review with a 60 s deadline, on a fake clock. */
async function pendingPayment(after: ScriptedTurn[] = [{ text: "ok" }]) {
  store = await openStore("memory", { cwd: process.cwd() });
  let now = start;
  const fake = createFakeToolbox();
  const session = openSession({
    store,
    model: new ScriptedChatModel(
      [{ tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] }, ...after],
      "t",
    ),
    toolbox: fake.toolbox,
    policy: { rules: [{ tool: "pay", tier: "confirm" }], default: "allow" },
    reviewTimeoutSeconds: 60,
    clock: () => now,
  });
  const sent = await session.send("t1", "pay ann", { actingUser: "joe", onReview: "queue" });
  expect(sent.status).toBe("pending");
  return { session, store, fake, clock: () => now, advance: (ms: number) => (now += ms) };
}

const approve =
  (reviewer = "mom") =>
  (): Promise<ReviewResponse> =>
    Promise.resolve({ decisions: [{ type: "approve" }], reviewer });

function answer(
  session: Session,
  clock: () => number,
  decide: (review: PendingReview) => Promise<ReviewResponse>,
) {
  const written: string[] = [];
  const result = answerReview({
    session,
    threadId: "t1",
    clock,
    decide,
    onReview: "queue",
    write: (text) => written.push(text),
  });
  return { result, written };
}

describe("answerReview", () => {
  it("applies the reviewer's answer before the deadline: the call runs once", async () => {
    const world = await pendingPayment();
    world.advance(59_000);
    const { result, written } = answer(world.session, world.clock, approve());
    expect((await result).calls).toMatchObject([
      { tool: "pay", decision: "approved", reviewer: "mom", outcome: "ok" },
    ]);
    expect(world.fake.received).toEqual([{ tool: "pay", user: "joe", args: { to: "ann", amount: 5 } }]);
    expect(written.join("")).toContain("times out in 1s");
    expect(await world.store.queue.list()).toEqual([]);
  });

  it("rejects an expired review as timed out without asking anyone; audited timed_out, the model told", async () => {
    const world = await pendingPayment();
    world.advance(61_000);
    let asked = false;
    const { result, written } = answer(world.session, world.clock, () => {
      asked = true;
      return approve()();
    });
    const turn = await result;
    expect(asked).toBe(false);
    expect(written.join("")).toContain("deadline has passed");
    expect(turn.calls).toMatchObject([
      { tool: "pay", decision: "timed_out", reviewer: null, outcome: "not_run" },
    ]);
    expect(world.fake.received).toEqual([]);
    const [record] = await world.store.audit.list({ threadId: "t1" });
    // Nobody was asked in time: no person is named as the reviewer.
    expect(record).toMatchObject({ decision: "timed_out", reviewer: null, outcome: "not_run", tool: "pay" });
    const toolMessage = turn.messages.find((message) => message.type === "tool");
    expect(String(toolMessage?.data.content)).toMatch(/timed out/i);
  });

  it("turns an answer that arrives after the deadline into a timeout", async () => {
    const world = await pendingPayment();
    const { result } = answer(world.session, world.clock, () => {
      world.advance(120_000);
      return approve()();
    });
    expect((await result).calls).toMatchObject([{ decision: "timed_out" }]);
    expect(world.fake.received).toEqual([]);
  });

  it("refuses a review someone else is answering, and one answered while this reviewer decided", async () => {
    const world = await pendingPayment([{ text: "paid" }]);
    await world.store.queue.claim("t1", (await world.session.pendingReview("t1"))?.interruptId ?? "", "dad");
    const taken = answer(world.session, world.clock, approve());
    await expect(taken.result).rejects.toThrow(/already answered by someone else/);
    expect(taken.written.join("")).toContain("dad has claimed this review");
    expect(world.fake.received).toEqual([]);
    const interruptId = (await world.session.pendingReview("t1"))?.interruptId ?? "";
    await world.store.queue.release("t1", interruptId);
    const slow = answer(world.session, world.clock, async () => {
      await answer(world.session, world.clock, approve("dad")).result;
      return approve("mom")();
    });
    await expect(slow.result).rejects.toThrow(/already answered by someone else/);
    expect(world.fake.received).toHaveLength(1);
    expect((await world.store.audit.list())[0]?.reviewer).toBe("dad");
  });
});

describe("an answer given for one review", () => {
  it("is never applied to the next review the thread paused on meanwhile", async () => {
    const world = await pendingPayment([{ tool_calls: [{ name: "pay", args: { to: "bob", amount: 900 } }] }]);
    const stale = answer(world.session, world.clock, async () => {
      const other = await answer(world.session, world.clock, approve("dad")).result;
      expect(other.status).toBe("pending");
      return approve("mom")();
    });
    await expect(stale.result).rejects.toThrow(/already answered by someone else/);
    expect(world.fake.received).toEqual([{ tool: "pay", user: "joe", args: { to: "ann", amount: 5 } }]);
    expect((await world.session.pendingReview("t1"))?.request.actionRequests[0]?.args).toEqual({
      to: "bob",
      amount: 900,
    });
  });
});

describe("answerReview with the review's id (--interrupt)", () => {
  it("answers that review, and refuses, answering nothing, when the thread has moved on to another", async () => {
    const world = await pendingPayment([
      { tool_calls: [{ name: "pay", args: { to: "bob", amount: 900 } }] },
      { text: "ok" },
    ]);
    const seen = await world.session.pendingReview("t1");
    if (!seen) throw new Error("expected a review");
    // Someone else answers the review this reviewer saw; the thread now waits on a payment to bob.
    await answer(world.session, world.clock, approve("dad")).result;
    const written: string[] = [];
    const late = answerReview({
      session: world.session,
      threadId: "t1",
      clock: world.clock,
      decide: approve("mom"),
      onReview: "queue",
      interruptId: seen.interruptId,
      write: (text) => written.push(text),
    });
    await expect(late).rejects.toThrow(
      new RegExp(`waits on review [0-9a-f]{32}, not on ${seen.interruptId} \\(answered already`),
    );
    expect(written).toEqual([]);
    expect(world.fake.received).toEqual([{ tool: "pay", user: "joe", args: { to: "ann", amount: 5 } }]);
    const waiting = await world.session.pendingReview("t1");
    expect(waiting?.request.actionRequests[0]?.args).toEqual({ to: "bob", amount: 900 });
    const current = await answerReview({
      session: world.session,
      threadId: "t1",
      clock: world.clock,
      decide: approve("mom"),
      onReview: "queue",
      interruptId: waiting?.interruptId ?? "",
      write: () => undefined,
    });
    expect(current.calls).toMatchObject([{ decision: "approved", reviewer: "mom", outcome: "ok" }]);
  });
});

describe("flagDecisions", () => {
  const review = (calls: number) =>
    ({
      request: {
        actionRequests: Array.from({ length: calls }, () => ({ name: "pay", args: {}, description: "" })),
      },
    }) as unknown as PendingReview;
  const options = (extra: Partial<ReviewOptions>): ReviewOptions => ({ reviewTimeout: 300, ...extra });

  it("answers every call of the review the same way", () => {
    expect(flagDecisions(options({ approve: true }), review(2))).toEqual([
      { type: "approve" },
      { type: "approve" },
    ]);
    expect(flagDecisions(options({ reject: "too much" }), review(1))).toEqual([
      { type: "reject", message: "too much" },
    ]);
    expect(flagDecisions(options({ edit: '{"amount":3}' }), review(1))).toEqual([
      { type: "edit", editedAction: { name: "pay", args: { amount: 3 } } },
    ]);
    expect(flagDecisions(options({}), review(1))).toBeNull();
  });

  it("rejects flags that cannot be applied, naming what is accepted", () => {
    expect(() => flagDecisions(options({ approve: true, reject: "x" }), review(1))).toThrow(UsageError);
    expect(() => flagDecisions(options({ edit: "{}" }), review(2))).toThrow(
      /--edit fits a review of one call/,
    );
    expect(() => flagDecisions(options({ edit: "[1]" }), review(1))).toThrow(/JSON object/);
    expect(() => flagDecisions(options({ edit: "{nope" }), review(1))).toThrow(/JSON object/);
  });
});
