import { Readable, Writable } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * Serves one session over stdin/stdout until the client closes stdin or `signal` aborts. stdout carries only
 * the protocol; anything for a person goes to stderr.
 */
export async function serveStdio(
  server: McpServer,
  streams: {
    stdin: NodeJS.ReadableStream;
    stdout: NodeJS.WritableStream;
    /** Where a line of input that is not a JSON-RPC message is reported to a person. */
    log?: (line: string) => void;
  },
  signal?: AbortSignal,
): Promise<void> {
  const { stdin, stdout, log } = streams;
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
  // Set before connecting: the server chains its own handler after it.
  transport.onerror = answerMalformedLines(transport, log);
  await server.connect(transport);
  await closed;
  await server.close();
}

/**
 * The SDK's transport drops a line it cannot read as a JSON-RPC message and tells only its `onerror`, so a
 * client that sent one waits for an answer that never comes. It is answered with a JSON-RPC error without
 * an id (the line's own cannot be trusted; MCP's schema, unlike JSON-RPC 2.0's null, leaves it out):
 * -32700 for text that is not JSON, -32600 for JSON that is not a message. The line is reported on stderr
 * too; the session goes on.
 */
function answerMalformedLines(
  transport: StdioServerTransport,
  log?: (line: string) => void,
): (error: Error) => void {
  return (error) => {
    const reply = malformedReply(error);
    if (!reply) return;
    log?.(`askfirst serve: ${reply.error.message}; answered with JSON-RPC error ${reply.error.code}`);
    transport.send(reply).catch(() => undefined);
  };
}

function malformedReply(
  error: Error,
): (JSONRPCMessage & { error: { code: number; message: string } }) | null {
  if (error instanceof SyntaxError)
    return { jsonrpc: "2.0", error: { code: -32700, message: "a line of input is not JSON" } };
  if (error.name === "ZodError")
    return {
      jsonrpc: "2.0",
      error: { code: -32600, message: "a line of input is JSON but not a JSON-RPC message" },
    };
  return null;
}
