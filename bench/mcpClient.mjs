// Connects the official MCP client to a stdio server and times tool calls.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { median, nowMs } from "./lib.mjs";

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

/** Median round trip of `count` sequential calls, after 20 unmeasured ones. */
export async function medianCall(client, name, args, count) {
  for (let i = 0; i < 20; i += 1) await client.callTool({ name, arguments: args });
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const started = nowMs();
    const result = await client.callTool({ name, arguments: args });
    times.push(nowMs() - started);
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content).slice(0, 200)}`);
  }
  return median(times);
}
