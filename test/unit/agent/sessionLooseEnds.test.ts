import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { describe, expect, it } from "vitest";
import { openSession } from "../../../src/agent/session.js";
import { ScriptedChatModel } from "../../../src/models/scripted.js";
import type { Decision, Reviewer, ReviewRequest, ReviewResponse } from "../../../src/review/decisions.js";
import type { Policy } from "../../../src/review/policy.js";
import type { Store } from "../../../src/store/types.js";
import { scriptedSessions } from "../../helpers/session.js";
import { sampleReview } from "../store/harness.js";

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

const setUp = scriptedSessions(policy);

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

/** A model whose tool calls come without ids, as some providers send them. */
class NoCallIdsModel extends ScriptedChatModel {
  override bindTools(): ScriptedChatModel {
    return this;
  }
  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const result = await super._generate(messages);
    for (const generation of result.generations)
      for (const call of (generation.message as AIMessage).tool_calls ?? []) delete call.id;
    return result;
  }
}

describe("tool calls a model sends without ids", () => {
  it("are reviewed and run once each, under the id call_llm gave them", async () => {
    const { store, toolbox, received } = await setUp([]);
    const session = openSession({
      store,
      model: new NoCallIdsModel(
        [
          {
            tool_calls: [
              { name: "pay", args: { to: "ann", amount: 5 } },
              { name: "pay", args: { to: "bob", amount: 7 } },
            ],
          },
          { text: "Paid ann; bob was refused." },
        ],
        "no ids",
      ),
      toolbox,
      policy,
      reviewer: new PartlyAnsweringReviewer([{ type: "approve" }, { type: "reject", message: "not bob" }]),
    });
    const result = await session.send("t-no-ids", "pay both", { actingUser: "joe" });
    expect(received.map((call) => call.args.to)).toEqual(["ann"]);
    const audit = await store.audit.list({ threadId: "t-no-ids" });
    expect(audit.map((record) => [record.args.to, record.decision])).toEqual([
      ["bob", "rejected"],
      ["ann", "approved"],
    ]);
    const ids = audit.map((record) => record.toolCallId);
    expect(new Set(ids).size).toBe(2);
    expect(result.replies).toEqual(["Paid ann; bob was refused."]);
  });
});

describe("an answer that comes after the review's deadline", () => {
  /** A session whose reviews are due 60 s after they are asked, on a clock the test moves. */
  async function withDeadline(reply: string) {
    const { store, toolbox, received } = await setUp([]);
    const clock = { now: 1_000_000 };
    const session = openSession({
      store,
      model: new ScriptedChatModel(
        [{ tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] }, { text: reply }],
        "t",
      ),
      toolbox,
      policy,
      clock: () => clock.now,
      reviewTimeoutSeconds: 60,
    });
    return { session, store, received, clock };
  }

  it("counts for nothing, whoever resumes: the call is rejected as timed out and never runs", async () => {
    const { session, store, received, clock } = await withDeadline("It timed out.");
    const paused = await session.send("t-late", "pay ann", { actingUser: "joe", onReview: "queue" });
    expect(paused.review?.deadline).toBe(1_000_000 + 60_000);
    clock.now += 61_000;
    const result = await session.resume("t-late", { decisions: [{ type: "approve" }], reviewer: "mom" });
    expect(received).toEqual([]);
    expect(result.calls.map((call) => [call.decision, call.reviewer, call.outcome])).toEqual([
      ["timed_out", null, "not_run"],
    ]);
    const audit = await store.audit.list({ threadId: "t-late" });
    expect(audit.map((record) => [record.decision, record.reviewer])).toEqual([["timed_out", null]]);
  });

  it("still applies an answer given before the deadline", async () => {
    const { session, received, clock } = await withDeadline("Paid.");
    await session.send("t-in-time", "pay ann", { actingUser: "joe", onReview: "queue" });
    clock.now += 59_000;
    await session.resume("t-in-time", { decisions: [{ type: "approve" }], reviewer: "mom" });
    expect(received.map((call) => call.args.to)).toEqual(["ann"]);
  });
});

describe("reviews left in the queue by a thread that moved on", () => {
  const queued = async (store: Store) =>
    (await store.queue.list()).map((review) => `${review.threadId}/${review.interruptId}`);

  it("leave the queue when a run of the thread ends with no review waiting", async () => {
    const { session, store } = await setUp([{ text: "hello" }]);
    // Left by a process that died after its run ended, before it removed the review it had answered.
    await store.queue.put(sampleReview("t-moved", "answered-long-ago"));
    await store.queue.put(sampleReview("t-other", "still-waiting"));
    expect((await session.send("t-moved", "hi", { actingUser: "joe" })).status).toBe("done");
    expect(await queued(store)).toEqual(["t-other/still-waiting"]);
  });

  it("leave the queue when the run pauses on another review, which stays", async () => {
    const { session, store } = await setUp([
      { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
    ]);
    await store.queue.put(sampleReview("t-moved", "answered-long-ago"));
    const result = await session.send("t-moved", "pay ann", { actingUser: "joe", onReview: "queue" });
    expect(result.status).toBe("pending");
    expect(await queued(store)).toEqual([`t-moved/${result.review?.interruptId ?? "?"}`]);
    expect((await store.queue.get("t-moved"))?.request.actionRequests[0]?.name).toBe("pay");
  });

  it("a review whose resume ran its tool and then failed leaves the queue", async () => {
    const pay = { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] };
    // The model has no turn left after the payment: the resumed run fails once the tool has run.
    const { session, store, received } = await setUp([pay]);
    const paused = await session.send("t-failed", "pay ann", { actingUser: "joe", onReview: "queue" });
    const approve = { decisions: [{ type: "approve" as const }], reviewer: "mom" };
    await expect(session.resume("t-failed", approve)).rejects.toThrow(/no turn left/);
    expect(received).toHaveLength(1);
    expect(await session.pendingReview("t-failed")).toBeNull();
    expect(await queued(store)).toEqual([]);
    expect(paused.review).not.toBeNull();
  });

  it("a review whose resume failed before it was applied stays, free for another answer", async () => {
    // Only its store and fake server: the session below reaches that server through a link that can fail.
    const { store, toolbox, received } = await setUp([]);
    let isServerDown = false;
    const session = openSession({
      store,
      model: new ScriptedChatModel([{ tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] }], "t"),
      toolbox: {
        toolsFor: (user) =>
          isServerDown ? Promise.reject(new Error("server down")) : toolbox.toolsFor(user),
        close: () => toolbox.close(),
      },
      policy,
    });
    const paused = await session.send("t-down", "pay ann", { actingUser: "joe", onReview: "queue" });
    isServerDown = true;
    const approve = { decisions: [{ type: "approve" as const }], reviewer: "mom" };
    await expect(session.resume("t-down", approve)).rejects.toThrow(/server down/);
    expect(received).toEqual([]);
    expect(await store.queue.list()).toMatchObject([
      { threadId: "t-down", interruptId: paused.review?.interruptId, claimedBy: null },
    ]);
  });
});

describe("a refusal that comes after its call was started", () => {
  it("reports the result the call already had, instead of saying it did not run", async () => {
    const { session, store, received } = await setUp([
      { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
      { text: "It had already gone through." },
    ]);
    const paused = await session.send("t-late", "pay ann", { actingUser: "joe", onReview: "queue" });
    const toolCallId = paused.review?.request.context.actions[0]?.toolCallId ?? "";
    // What an earlier run of this review left before it crashed: the payment ran and reported back.
    const argsHash = store.audit.digestArgs({ to: "ann", amount: 5 });
    await store.executions.start({ threadId: "t-late", toolCallId, tool: "pay", argsHash, startedAt: 1 });
    await store.executions.finish("t-late", toolCallId, {
      outcome: "ok",
      result: "joe paid 5 to ann",
      finishedAt: 2,
    });
    const reject = { decisions: [{ type: "reject" as const, message: "not now" }], reviewer: "mom" };
    const result = await session.resume("t-late", reject);
    expect(received).toEqual([]);
    expect(result.calls).toMatchObject([{ decision: "rejected", reviewer: "mom", outcome: "ok" }]);
    const tool = result.messages.find((message) => message.type === "tool");
    expect(tool?.data.content).toBe(
      "The rejection came too late: pay had already run before a crash. Its result: joe paid 5 to ann",
    );
    expect(await store.audit.list({ threadId: "t-late" })).toMatchObject([
      { decision: "rejected", outcome: "ok", error: null, executedArgsHash: argsHash },
    ]);
  });
});

describe("a process that dies as soon as its run has written its checkpoint", () => {
  it("leaves the review the thread waits on in the queue, and the one it answered out of it", async () => {
    const { session, store, received } = await setUp([
      { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
      { tool_calls: [{ name: "pay", args: { to: "bob", amount: 7 } }] },
      { text: "paid both" },
    ]);
    const queued = async () =>
      (await store.queue.list())
        .filter((review) => review.threadId === "t-crash")
        .map((review) => [review.interruptId, review.request.actionRequests[0]?.args.to]);
    // The process dies at the first thing it does after each run: keeping the run's messages (a run's
    // own, that is: an AI message and no human one).
    const append = store.transcript.append.bind(store.transcript);
    store.transcript.append = (threadId, messages) =>
      messages.some((message) => message.type === "ai") &&
      !messages.some((message) => message.type === "human")
        ? Promise.reject(new Error("the process died here"))
        : append(threadId, messages);
    await expect(session.send("t-crash", "pay ann, then bob", { actingUser: "joe" })).rejects.toThrow(
      "the process died here",
    );
    const [[first, firstTo] = []] = await queued();
    expect(firstTo).toBe("ann");
    expect((await session.pendingReview("t-crash"))?.interruptId).toBe(first);

    const approve = { decisions: [{ type: "approve" as const }], reviewer: "mom" };
    await expect(session.resume("t-crash", approve, { interruptId: String(first) })).rejects.toThrow(
      "the process died here",
    );
    expect(received.map((call) => call.args.to)).toEqual(["ann"]);
    const [[next, nextTo] = [], ...others] = await queued();
    expect([nextTo, others]).toEqual(["bob", []]);
    expect((await session.pendingReview("t-crash"))?.interruptId).toBe(next);

    store.transcript.append = append;
    const done = await session.resume("t-crash", approve, { interruptId: String(next) });
    expect(done.replies).toEqual(["paid both"]);
    expect(received.map((call) => call.args.to)).toEqual(["ann", "bob"]);
    expect(await queued()).toEqual([]);
  });
});

describe("a rejection whose run never reached its checkpoint", () => {
  it("is audited, and so is the approval that later runs the call: the trail shows both decisions", async () => {
    const { session, store, received } = await setUp([
      { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
      { text: "Not paid." },
      { text: "Paid." },
    ]);
    const paused = await session.send("t-lost", "pay ann", { actingUser: "joe", onReview: "queue" });
    // The process dies before the rejected run's checkpoint is written: the thread still waits on the review.
    const saver = store.checkpointer;
    const put = saver.put.bind(saver);
    saver.put = () => Promise.reject(new Error("the process died here"));
    const reject = { decisions: [{ type: "reject" as const, message: "not now" }], reviewer: "mom" };
    await expect(session.resume("t-lost", reject)).rejects.toThrow("the process died here");
    saver.put = put;
    expect((await session.pendingReview("t-lost"))?.interruptId).toBe(paused.review?.interruptId);

    const approve = { decisions: [{ type: "approve" as const }], reviewer: "dad" };
    const done = await session.resume("t-lost", approve);
    expect(done.replies).toEqual(["Paid."]);
    expect(received.map((call) => call.args.to)).toEqual(["ann"]);
    const audit = await store.audit.list({ threadId: "t-lost" });
    expect(audit.map((record) => [record.decision, record.reviewer, record.outcome])).toEqual([
      ["rejected", "mom", "not_run"],
      ["approved", "dad", "ok"],
    ]);
  });
});
