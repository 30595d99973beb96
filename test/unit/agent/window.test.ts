import {
  AIMessage,
  HumanMessage,
  ToolMessage,
  trimMessages,
  type BaseMessage,
} from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { modelView } from "../../../src/agent/nodes/callLlm.js";
import { keepWindow, windowReducer } from "../../../src/agent/window.js";

function turn(index: number, calls: number): BaseMessage[] {
  const ids = Array.from({ length: calls }, (_, call) => `c${index}_${call}`);
  return [
    new HumanMessage({ id: `h${index}`, content: `question ${index}` }),
    new AIMessage({
      id: `a${index}`,
      content: "",
      tool_calls: ids.map((id) => ({ id, name: "t", args: {}, type: "tool_call" as const })),
    }),
    ...ids.map((id) => new ToolMessage({ id: `r_${id}`, content: "result", tool_call_id: id })),
    new AIMessage({ id: `f${index}`, content: `answer ${index}` }),
  ];
}

describe("the bounded message window", () => {
  it("keeps at most N messages and starts at a human message, never at a tool result", () => {
    const messages = [0, 1, 2, 3].flatMap((index) => turn(index, 2));
    const window = keepWindow(messages, 7);
    expect(window.length).toBeLessThanOrEqual(7);
    expect(window[0]?.id).toBe("h3");
  });

  it("with one long turn and no human message inside the limit, starts after the tool results", () => {
    const window = keepWindow(turn(0, 10), 4);
    expect(window[0]?.getType()).not.toBe("tool");
    expect(window.at(-1)?.id).toBe("f0");
  });

  it("never drops the AI message whose calls are being settled, even past the limit", () => {
    const [human, ai, ...results] = turn(0, 5);
    const window = keepWindow([human!, ai!, ...results.slice(0, 5)], 2);
    expect(window[0]?.id).toBe("a0");
    expect(window).toHaveLength(6);
  });

  it("appends like LangGraph's messages reducer: an id already present is replaced, not duplicated", () => {
    const reduce = windowReducer(40);
    const first = reduce([], [new HumanMessage({ id: "h", content: "a" })]);
    const second = reduce(first, [
      new HumanMessage({ id: "h", content: "b" }),
      new AIMessage({ id: "x", content: "c" }),
    ]);
    expect(second.map((message) => message.content)).toEqual(["b", "c"]);
  });

  it("trims what the model sees to its budget, from a human message, never empty", async () => {
    const messages = [0, 1, 2].flatMap((index) => turn(index, 1));
    const view = await modelView(messages, 12);
    expect(view[0]?.getType()).toBe("human");
    expect(view.at(-1)?.id).toBe("f2");
    const tiny = await modelView(messages, 1);
    expect(tiny[0]?.id).toBe("h2");
  });

  it("shows the model the whole window when it fits, and the same messages trimMessages would keep", async () => {
    const messages = [0, 1, 2].flatMap((index) => turn(index, 2));
    const view = await modelView(messages, 8000);
    const kept = await trimMessages(messages, {
      maxTokens: 8000,
      tokenCounter: () => 0,
      strategy: "last",
      startOn: "human",
    });
    expect(view.map((message) => message.id)).toEqual(messages.map((message) => message.id));
    expect(view.map((message) => [message.getType(), message.content])).toEqual(
      kept.map((message) => [message.getType(), message.content]),
    );
    const fromAnswer = await modelView(messages.slice(3), 8000);
    expect(fromAnswer[0]?.id).toBe("h1");
  });
});
