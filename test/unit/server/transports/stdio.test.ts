import { PassThrough } from "node:stream";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { serveStdio } from "../../../../src/server/transports/stdio.js";

/** Serves over in-memory pipes, writes `lines` as a client would, and reads the answers until stdin ends. */
async function exchange(lines: string[]): Promise<{ answers: unknown[]; logged: string[] }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const logged: string[] = [];
  const answers: unknown[] = [];
  let text = "";
  stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n")) {
      answers.push(JSON.parse(text.slice(0, end)));
      text = text.slice(end + 1);
    }
  });
  const server = new McpServer({ name: "test", version: "1.0.0" });
  const served = serveStdio(server, { stdin, stdout, log: (line) => logged.push(line) });
  for (const line of lines) stdin.write(`${line}\n`);
  await expect.poll(() => answers.length).toBe(lines.length);
  stdin.end();
  await served;
  return { answers, logged };
}

describe("askfirst serve over stdio, given a line that is not a message", () => {
  it("answers it with a JSON-RPC error, says so on stderr, and goes on serving", async () => {
    const { answers, logged } = await exchange([
      "this is not json",
      '{"hello": "world"}',
      '{"jsonrpc": "2.0", "id": 7, "method": "ping"}',
    ]);
    expect(answers).toEqual([
      { jsonrpc: "2.0", error: { code: -32700, message: "a line of input is not JSON" } },
      {
        jsonrpc: "2.0",
        error: { code: -32600, message: "a line of input is JSON but not a JSON-RPC message" },
      },
      { jsonrpc: "2.0", id: 7, result: {} },
    ]);
    expect(logged).toEqual([
      "askfirst serve: a line of input is not JSON; answered with JSON-RPC error -32700",
      "askfirst serve: a line of input is JSON but not a JSON-RPC message; answered with JSON-RPC error -32600",
    ]);
  });
});
