// Connects the official MCP client to a stdio server and times tool calls.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { nowMs } from "./lib.mjs";

export async function connectStdio(command, args, env = {}) {
  const client = new Client({ name: "bench", version: "1.0.0" });
  const transport = new StdioClientTransport({
    command,
    args,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stderr: "ignore",
  });
  await client.connect(transport);
  return client;
}

/** A function that makes one tool call and returns its round trip in ms; it throws when the tool fails. */
export function callTimer(client, name, args) {
  return async () => {
    const started = nowMs();
    const result = await client.callTool({ name, arguments: args });
    const elapsed = nowMs() - started;
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content).slice(0, 200)}`);
    return elapsed;
  };
}
