import { Readable, Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

/**
 * Serves one session over stdin/stdout until the client closes stdin or `signal` aborts. stdout carries only
 * the protocol; anything for a person goes to stderr.
 */
export async function serveStdio(
  server: McpServer,
  streams: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream },
  signal?: AbortSignal,
): Promise<void> {
  const { stdin, stdout } = streams;
  if (!(stdin instanceof Readable) || !(stdout instanceof Writable))
    throw new TypeError("serveStdio needs node Readable/Writable streams");
  const transport = new StdioServerTransport(stdin, stdout);
  const closed = new Promise<void>((resolve) => {
    // The SDK transport does not notice the end of stdin; a client that hangs up ends the session here.
    stdin.once("end", resolve);
    stdin.once("close", resolve);
    transport.onclose = () => resolve();
    signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
