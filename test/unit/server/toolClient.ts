import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Backend } from "../../../src/server/backends/types.js";
import { createServer } from "../../../src/server/createServer.js";
import type { DemoConfig } from "../../../src/server/demo/menu.js";
import { type ToolCaller, toolCaller } from "../../helpers/toolCalls.js";

/** An SDK Client talking to a real McpServer acting as `actor`, over an in-memory linked pair. */
export interface Session extends ToolCaller {
  client: Client;
  close(): Promise<void>;
}

export async function openSession(backend: Backend, actor: string, demo?: DemoConfig): Promise<Session> {
  const server = createServer({ backend, actor, demo });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: `test-${actor}`, version: "0.0.0" });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    ...toolCaller(client, ""),
    async close() {
      await client.close();
      await server.close();
    },
  };
}
