import { randomUUID } from "node:crypto";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { ListenAddress } from "./listenAddress.js";
import type { TokenMap } from "./tokens.js";

const maxBodyBytes = 1_000_000;

interface Session {
  user: string;
  transport: StreamableHTTPServerTransport;
  server: McpServer;
}

export interface HttpServing {
  /** The address actually bound (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/**
 * Streamable HTTP on /mcp. Every request needs `Authorization: Bearer <token>`; the token's user is the
 * session's acting user, and a session only answers requests bearing a token of that same user.
 */
export async function serveHttp(
  address: ListenAddress,
  tokens: TokenMap,
  createSessionServer: (user: string) => McpServer,
): Promise<HttpServing> {
  const sessions = new Map<string, Session>();
  const http = createHttpServer((req, res) => {
    handle(req, res, tokens, sessions, createSessionServer).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 500, "internal error", -32603);
      res.destroy(error instanceof Error ? error : undefined);
    });
  });
  await listen(http, address);
  const bound = http.address() as AddressInfo;
  const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}/mcp`,
    async close() {
      await Promise.all([...sessions.values()].map((session) => session.server.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function listen(http: Server, address: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(address.port, address.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  tokens: TokenMap,
  sessions: Map<string, Session>,
  createSessionServer: (user: string) => McpServer,
): Promise<void> {
  if (new URL(req.url ?? "/", "http://localhost").pathname !== "/mcp")
    return reply(res, 404, "not found; the MCP endpoint is /mcp");
  const user = authenticate(req, tokens);
  if (!user) {
    res.setHeader("WWW-Authenticate", 'Bearer realm="askfirst"');
    return reply(res, 401, "unauthorized: send Authorization: Bearer <token> with a token this server knows");
  }
  const body = req.method === "POST" ? await readJson(req, res) : undefined;
  if (body === invalidBody) return;
  const sessionId = req.headers["mcp-session-id"];
  if (typeof sessionId === "string") {
    const session = sessions.get(sessionId);
    if (!session) return reply(res, 404, "unknown or expired session; initialize a new one");
    if (session.user !== user) return reply(res, 403, "forbidden: this session belongs to another user");
    return session.transport.handleRequest(req, res, body);
  }
  if (req.method !== "POST" || !isInitializeRequest(body))
    return reply(res, 400, "bad request: start a session with an initialize request (no mcp-session-id yet)");
  const session = openSession(user, sessions, createSessionServer);
  await session.server.connect(session.transport);
  await session.transport.handleRequest(req, res, body);
}

function openSession(
  user: string,
  sessions: Map<string, Session>,
  createSessionServer: (user: string) => McpServer,
): Session {
  const session: Session = {
    user,
    server: createSessionServer(user),
    transport: new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, session),
    }),
  };
  session.transport.onclose = () => {
    if (session.transport.sessionId) sessions.delete(session.transport.sessionId);
  };
  return session;
}

/** The token's user, or undefined. The token itself is never logged or echoed. */
function authenticate(req: IncomingMessage, tokens: TokenMap): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match?.[1] ? tokens.get(match[1]) : undefined;
}

const invalidBody = Symbol("invalid body");

async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) {
      reply(res, 413, `request body above ${maxBodyBytes} bytes`);
      return invalidBody;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    reply(res, 400, "parse error: the request body is not JSON", -32700);
    return invalidBody;
  }
}

function reply(res: ServerResponse, status: number, message: string, code = -32000): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
