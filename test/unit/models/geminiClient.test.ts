import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it } from "vitest";
import { createCallLlmNode } from "../../../src/agent/nodes/callLlm.js";
import type { AgentState } from "../../../src/agent/state.js";
import type { Toolbox } from "../../../src/mcp/connect.js";
import { createGeminiModel } from "../../../src/models/geminiModel.js";

let closeServer: (() => void) | undefined;
afterEach(() => closeServer?.());

/** A Gemini endpoint on 127.0.0.1 that takes requests and never answers them; `held` counts them. */
async function silentGemini() {
  const held: ServerResponse[] = [];
  const server = createServer((_request, response) => void held.push(response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closeServer = () => {
    server.closeAllConnections();
    server.close();
  };
  const { port } = server.address() as AddressInfo;
  const model = createGeminiModel({
    name: "gemini-2.0-flash",
    apiKey: "test-key-0123456789",
    baseUrl: `http://127.0.0.1:${port}`,
    notice: () => undefined,
  });
  return { model, held };
}

describe("a Gemini call under way", () => {
  it("ends as soon as its signal aborts (Ctrl-C), and is not sent again", async () => {
    const { model, held } = await silentGemini();
    const controller = new AbortController();
    const asked = model.invoke([new HumanMessage("hi")], { signal: controller.signal });
    await expect.poll(() => held.length).toBe(1);
    controller.abort(new Error("cancelled by the person"));
    await expect(asked).rejects.toThrow("cancelled by the person");
    expect(held).toHaveLength(1);
  });

  it("is ended by call_llm's timeout, which says so", async () => {
    const { model } = await silentGemini();
    const toolbox: Toolbox = { toolsFor: () => Promise.resolve([]), close: () => Promise.resolve() };
    const node = createCallLlmNode({ model, toolbox, clock: () => 0, contextTokens: 8000, timeoutMs: 200 });
    const state = { messages: [new HumanMessage({ id: "h", content: "hi" })], actingUser: "joe" };
    await expect(node(state as unknown as AgentState, {})).rejects.toThrow(
      /^the model did not answer within 200 ms, so the turn stopped/,
    );
  });
});
