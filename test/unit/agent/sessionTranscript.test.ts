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
    expect(lines(await answering.history("t-paused"))).toEqual([
      "human: pay ann",
      "ai: pay ann",
      "tool: joe paid 5 to ann",
      "ai: paid",
    ]);
  });
});
