import type { BaseMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { openSession } from "../../../src/agent/session.js";
import { ScriptedChatModel } from "../../../src/models/scripted.js";
import type { Policy } from "../../../src/review/policy.js";
import type { Store } from "../../../src/store/types.js";
import { scriptedSessions } from "../../helpers/session.js";

const policy: Policy = { rules: [{ tool: "pay", tier: "confirm" }], default: "allow" };
const setUp = scriptedSessions(policy);
const approve = { decisions: [{ type: "approve" as const }], reviewer: "mom" };

/** The process dies at the first thing it does once a run has ended: keeping the run's messages. */
function dieAfterEachRun(store: Store): () => void {
  const append = store.transcript.append.bind(store.transcript);
  store.transcript.append = (threadId, messages) =>
    messages.some((message) => message.type === "ai")
      ? Promise.reject(new Error("the process died here"))
      : append(threadId, messages);
  return () => {
    store.transcript.append = append;
  };
}

/** The transcript writes to `store` from now on, each as the types of the messages it wrote. */
function recordWrites(store: Store): string[][] {
  const writes: string[][] = [];
  const append = store.transcript.append.bind(store.transcript);
  store.transcript.append = (threadId, messages) => {
    writes.push(messages.map((message) => message.type));
    return append(threadId, messages);
  };
  return writes;
}

/** A turn that pays ann once the payment is approved, as `lines` shows it. */
const paidAnn = ["human: pay ann", "ai: pay ann", "tool: joe paid 5 to ann", "ai: paid"];

/** The conversation as `askfirst chat -t` shows it, one short line per message. */
const lines = (messages: BaseMessage[]) =>
  messages.map((message) => {
    const calls = (message as { tool_calls?: { args: { to?: string } }[] }).tool_calls ?? [];
    const text = typeof message.content === "string" ? message.content : "";
    return `${message.getType()}: ${calls.length > 0 ? `pay ${calls[0]?.args.to ?? "?"}` : text}`;
  });

describe("a process that dies before it keeps a run's messages", () => {
  it("loses none of them: the next input finds them in the checkpoint and adds them first, in order", async () => {
    const { session, store } = await setUp([{ text: "hello" }, { text: "hello again" }]);
    const revive = dieAfterEachRun(store);
    await expect(session.send("t-lost", "hi", { actingUser: "joe" })).rejects.toThrow(
      "the process died here",
    );
    revive();
    await session.send("t-lost", "again", { actingUser: "joe" });
    expect(lines(await session.history("t-lost"))).toEqual([
      "human: hi",
      "ai: hello",
      "human: again",
      "ai: hello again",
    ]);
  });

  it("are shown by `chat -t` all the same", async () => {
    const { session, store } = await setUp([{ text: "hello" }]);
    const revive = dieAfterEachRun(store);
    await expect(session.send("t-shown", "hi", { actingUser: "joe" })).rejects.toThrow(
      "the process died here",
    );
    revive();
    expect(lines(await session.history("t-shown"))).toEqual(["human: hi", "ai: hello"]);
  });

  it("of a run that paused for a review, adds them before the answered run's, from any process", async () => {
    const { session, store, toolbox } = await setUp([
      { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
      { text: "paid" },
    ]);
    const revive = dieAfterEachRun(store);
    await expect(
      session.send("t-paused", "pay ann", { actingUser: "joe", onReview: "queue" }),
    ).rejects.toThrow("the process died here");
    revive();
    // Another process answers: the review is read from the store, not from the session that asked.
    const answering = openSession({
      store,
      model: new ScriptedChatModel([{ text: "paid" }], "answering"),
      toolbox,
      policy,
    });
    const review = await answering.pendingReview("t-paused");
    await answering.resume("t-paused", approve, { interruptId: review?.interruptId ?? "" });
    expect(lines(await answering.history("t-paused"))).toEqual(paidAnn);
  });
});

describe("a review answered in the chat that asked it", () => {
  const payThenDone = [{ tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] }, { text: "paid" }];

  it("keeps the paused run's messages with the answered run's, in one write", async () => {
    const reviewer = { name: "mom", review: () => Promise.resolve(approve) };
    const { session, store } = await setUp(payThenDone, reviewer);
    const writes = recordWrites(store);
    await session.send("t-once", "pay ann", { actingUser: "joe" });
    expect(writes).toEqual([["human"], ["ai", "tool", "ai"]]);
    expect(lines(await session.history("t-once"))).toEqual(paidAnn);
  });

  it("keeps at most the last run's messages waiting, however many reviews the turn asks", async () => {
    const reviewer = { name: "mom", review: () => Promise.resolve(approve) };
    const { session, store } = await setUp(
      [
        { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
        { tool_calls: [{ name: "pay", args: { to: "bob", amount: 7 } }] },
        { text: "paid both" },
      ],
      reviewer,
    );
    const writes = recordWrites(store);
    await session.send("t-twice", "pay ann and bob", { actingUser: "joe" });
    expect(writes).toEqual([["human"], ["ai"], ["tool", "ai", "tool", "ai"]]);
  });

  it("loses none of them when the process dies while the person decides", async () => {
    let asked: () => void = () => undefined;
    const askedNow = new Promise<void>((resolve) => (asked = resolve));
    // The person never answers: the process dies at the prompt.
    const reviewer = {
      name: "mom",
      review: () => {
        asked();
        return new Promise<never>(() => undefined);
      },
    };
    const { session, store, toolbox } = await setUp(payThenDone, reviewer);
    void session.send("t-prompt", "pay ann", { actingUser: "joe" });
    await askedNow;
    const other = openSession({ store, model: new ScriptedChatModel([], "other"), toolbox, policy });
    expect(lines(await other.history("t-prompt"))).toEqual(["human: pay ann", "ai: pay ann"]);
    expect((await store.queue.list()).map((review) => review.threadId)).toEqual(["t-prompt"]);
  });

  it("keeps them when the answer fails, and reports the failure", async () => {
    const reviewer = { name: "mom", review: () => Promise.reject(new Error("the terminal closed")) };
    const { session, store } = await setUp(payThenDone, reviewer);
    await expect(session.send("t-closed", "pay ann", { actingUser: "joe" })).rejects.toThrow(
      "the terminal closed",
    );
    // Read from the store itself: history() would add them from the checkpoint.
    const kept = await store.transcript.read("t-closed");
    expect(kept.map((message) => message.type)).toEqual(["human", "ai"]);
  });
});
