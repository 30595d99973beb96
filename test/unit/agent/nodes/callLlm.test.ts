import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { createCallLlmNode, inCallOrder } from "../../../../src/agent/nodes/callLlm.js";
import type { AgentState } from "../../../../src/agent/state.js";
import type { LoadedTool, Toolbox } from "../../../../src/mcp/connect.js";
import { ScriptedChatModel } from "../../../../src/models/scripted.js";

class CountingModel extends ScriptedChatModel {
  bound = 0;
  override bindTools(): ScriptedChatModel {
    this.bound += 1;
    return this;
  }
}

describe("call_llm", () => {
  it("binds the model to a user's tools once per tool list, not at every turn", async () => {
    const lists: Record<string, LoadedTool[]> = { henry: [], joe: [] };
    const toolbox: Toolbox = {
      toolsFor: (user) => Promise.resolve(lists[user] ?? []),
      close: () => Promise.resolve(),
    };
    const model = new CountingModel(
      [{ text: "1" }, { text: "2" }, { text: "3" }, { text: "4" }],
      "test turns",
    );
    const node = createCallLlmNode({ model, toolbox, clock: () => 0, contextTokens: 8000 });
    const state = (actingUser: string) =>
      ({ messages: [new HumanMessage({ id: "h", content: "hi" })], actingUser }) as unknown as AgentState;
    await node(state("henry"), {});
    await node(state("henry"), {});
    expect(model.bound).toBe(1);
    await node(state("joe"), {});
    expect(model.bound).toBe(2);
    lists.henry = [];
    await node(state("henry"), {});
    expect(model.bound).toBe(3);
  });
});

/** A model that never answers: its call ends only when its signal aborts. */
class SilentModel extends ScriptedChatModel {
  override bindTools(): ScriptedChatModel {
    return this;
  }
  override invoke(_input: unknown, options?: { signal?: AbortSignal }): Promise<never> {
    return new Promise((_resolve, reject) =>
      options?.signal?.addEventListener("abort", () => reject(new Error("This operation was aborted"))),
    );
  }
}

describe("a model that does not answer", () => {
  it("fails the turn after the timeout, saying so, rather than waiting for ever", async () => {
    const toolbox: Toolbox = { toolsFor: () => Promise.resolve([]), close: () => Promise.resolve() };
    const node = createCallLlmNode({
      model: new SilentModel([], "silent"),
      toolbox,
      clock: () => 0,
      contextTokens: 8000,
      timeoutMs: 50,
    });
    const state = { messages: [new HumanMessage({ id: "h", content: "hi" })], actingUser: "joe" };
    await expect(node(state as unknown as AgentState, {})).rejects.toThrow(
      /^the model did not answer within 50 ms, so the turn stopped; send the message again$/,
    );
  });
});

describe("what the model is shown", () => {
  it("has each answer's tool results in the order of its calls, though refusals were settled first", () => {
    const call = (id: string) => ({ id, name: "order_dish", args: { dish: id }, type: "tool_call" as const });
    const result = (id: string) => new ToolMessage({ id: `r-${id}`, tool_call_id: id, content: id });
    const asked = new AIMessage({ id: "a", content: "", tool_calls: [call("c1"), call("c2"), call("c3")] });
    const window = [
      new HumanMessage({ id: "h", content: "three" }),
      asked,
      result("c3"),
      result("c1"),
      result("c2"),
    ];
    const shown = inCallOrder(window);
    expect(shown.map((message) => message.id)).toEqual(["h", "a", "r-c1", "r-c2", "r-c3"]);
    // The window itself is left as it is; one already in order is handed over unchanged.
    expect(window.map((message) => message.id)).toEqual(["h", "a", "r-c3", "r-c1", "r-c2"]);
    expect(inCallOrder(shown)).toBe(shown);
  });
});
