import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Backend } from "../../../src/server/backends/types.js";
import { createServer } from "../../../src/server/createServer.js";
import type { DemoConfig } from "../../../src/server/demo/menu.js";

export interface ToolCall {
  isError: boolean;
  text: string;
  data: Record<string, unknown>;
}

/** An SDK Client talking to a real McpServer acting as `actor`, over an in-memory linked pair. */
export interface Session {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<ToolCall>;
  /** Like call, but fails the test with the tool's message when the call is an error. */
  ok(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function openSession(backend: Backend, actor: string, demo?: DemoConfig): Promise<Session> {
  const server = createServer({ backend, actor, demo });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: `test-${actor}`, version: "0.0.0" });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolCall> => {
    const result = await client.callTool({ name, arguments: args });
    const content = result.content as { type: string; text?: string }[];
    const text = content.map((part) => part.text ?? "").join("\n");
    const data = (result.structuredContent ?? {}) as Record<string, unknown>;
    return { isError: result.isError === true, text, data };
  };
  return {
    client,
    call,
    async ok(name, args) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${result.text}`);
      return result.data;
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}
