import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { createCallLlmNode } from "../../../../src/agent/nodes/callLlm.js";
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
