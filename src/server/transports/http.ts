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
import { allowedHostnames, refuseHost } from "./hostCheck.js";
import { defaultMaxSessions, defaultSessionIdleSeconds } from "./httpOptions.js";
import type { ListenAddress } from "./listenAddress.js";
import { defaultMaxBodyBytes, readJsonBody } from "./requestBody.js";
import { SessionTable, systemTimers, type Timers } from "./sessions.js";
import type { TokenMap } from "./tokens.js";

interface Session {
  user: string;
  transport: StreamableHTTPServerTransport;
  server: McpServer;
}

export interface HttpOptions {
  /** Host names besides the loopback names and the bound host that Host and Origin headers may name. */
  allowedHosts?: readonly string[];
  /** A session with no request in flight for this long is closed; its id then answers 404. */
  sessionIdleMs?: number;
  /** Open sessions at most; a new one past it gets 503 and the open ones keep working. */
  maxSessions?: number;
  /** Open sessions of one user at most; that user's next one gets 429. Defaults to maxSessions. */
  maxSessionsPerUser?: number;
  maxBodyBytes?: number;
  timers?: Timers;
  /** One line at a time, for the operator (stderr). Never given a token. */
  log?: (line: string) => void;
}

export interface HttpServing {
  /** The address actually bound (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

interface Serving {
  tokens: TokenMap;
  createSessionServer: (user: string) => McpServer;
  sessions: SessionTable<Session>;
  allowedHosts: ReadonlySet<string>;
  maxSessions: number;
  maxSessionsPerUser: number;
  maxBodyBytes: number;
  log: (line: string) => void;
  loggedRefusals: Set<string>;
}

/**
 * Streamable HTTP on /mcp. Every request needs a Host (and Origin, if any) naming this server, and
 * `Authorization: Bearer <token>`; the token's user is the session's acting user, and a session only
 * answers requests bearing a token of that same user.
 */
export async function serveHttp(
  address: ListenAddress,
  tokens: TokenMap,
  createSessionServer: (user: string) => McpServer,
  options: HttpOptions = {},
): Promise<HttpServing> {
  const serving = prepare(address, tokens, createSessionServer, options);
  const http = createHttpServer((req, res) => {
    handle(req, res, serving).catch((error: unknown) => {
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
      await Promise.all(serving.sessions.clear().map((session) => session.server.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function prepare(
  address: ListenAddress,
  tokens: TokenMap,
  createSessionServer: (user: string) => McpServer,
  options: HttpOptions,
): Serving {
  const log = options.log ?? (() => undefined);
  const idleMs = options.sessionIdleMs ?? defaultSessionIdleSeconds * 1000;
  const maxSessions = options.maxSessions ?? defaultMaxSessions;
  const maxSessionsPerUser = Math.min(options.maxSessionsPerUser ?? maxSessions, maxSessions);
  const sessions = new SessionTable<Session>({
    idleMs,
    max: maxSessions,
    maxPerOwner: maxSessionsPerUser,
    timers: options.timers ?? systemTimers,
    onIdle: (session) => {
      log(`askfirst serve: closed a session of ${session.user} after ${idleMs / 1000} s without requests`);
      session.server.close().catch(() => undefined);
    },
  });
  return {
    tokens,
    createSessionServer,
    sessions,
    allowedHosts: allowedHostnames(address, options.allowedHosts),
    maxSessions,
    maxSessionsPerUser,
    maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
    log,
    loggedRefusals: new Set(),
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

async function handle(req: IncomingMessage, res: ServerResponse, serving: Serving): Promise<void> {
  // Checked before anything else: a page that rebound its name to this address learns nothing more.
  const refusal = refuseHost(req.headers, serving.allowedHosts);
  if (refusal) return refuseRebinding(res, serving, refusal);
  if (new URL(req.url ?? "/", "http://localhost").pathname !== "/mcp")
    return reply(res, 404, "not found; the MCP endpoint is /mcp");
  const user = authenticate(req, serving.tokens);
  if (!user) {
    res.setHeader("WWW-Authenticate", 'Bearer realm="askfirst"');
    return reply(res, 401, "unauthorized: send Authorization: Bearer <token> with a token this server knows");
  }
  const sessionId = req.headers["mcp-session-id"];
  if (typeof sessionId === "string") return continueSession(req, res, serving, user, sessionId);
  return startSession(req, res, serving, user);
}

async function continueSession(
  req: IncomingMessage,
  res: ServerResponse,
  serving: Serving,
  user: string,
  sessionId: string,
): Promise<void> {
  // The owner is checked before the request counts as one to the session: a refused request (another
  // user's token) must not keep someone else's session from expiring.
  const found = serving.sessions.find(sessionId);
  if (!found) return reply(res, 404, "unknown or expired session; initialize a new one");
  if (found.user !== user) return reply(res, 403, "forbidden: this session belongs to another user");
  const use = serving.sessions.begin(sessionId);
  if (!use) return reply(res, 404, "unknown or expired session; initialize a new one");
  res.once("close", use.end);
  const body = req.method === "POST" ? await readBody(req, res, serving) : undefined;
  if (body === refusedBody) return;
  await use.session.transport.handleRequest(req, res, body);
}

async function startSession(
  req: IncomingMessage,
  res: ServerResponse,
  serving: Serving,
  user: string,
): Promise<void> {
  const body = req.method === "POST" ? await readBody(req, res, serving) : undefined;
  if (body === refusedBody) return;
  if (req.method !== "POST" || !isInitializeRequest(body))
    return reply(res, 400, "bad request: start a session with an initialize request (no mcp-session-id yet)");
  const reservation = serving.sessions.reserve(user);
  if (!reservation) return refuseBusy(res, serving, user);
  let isOpen = false;
  const session: Session = {
    user,
    server: serving.createSessionServer(user),
    transport: new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        isOpen = true;
        reservation.fill(id, session);
      },
    }),
  };
  session.transport.onclose = () => {
    if (session.transport.sessionId) serving.sessions.remove(session.transport.sessionId);
  };
  try {
    await session.server.connect(session.transport);
    await session.transport.handleRequest(req, res, body);
  } finally {
    reservation.release();
    if (!isOpen) await session.server.close();
  }
}

function refuseBusy(res: ServerResponse, serving: Serving, user: string): void {
  if (serving.sessions.refusal(user) === "owner_full") return refuseUserBusy(res, serving, user);
  const open = serving.maxSessions === 1 ? "1 session is open" : `${serving.maxSessions} sessions are open`;
  serving.log(`askfirst serve: refused a new session of ${user}: ${open}`);
  reply(
    res,
    503,
    `server busy: ${open}, the most it serves at once (--max-sessions); retry later, or end an unused session with DELETE /mcp`,
  );
}

function refuseUserBusy(res: ServerResponse, serving: Serving, user: string): void {
  const max = serving.maxSessionsPerUser;
  const open = max === 1 ? "1 session" : `${max} sessions`;
  serving.log(`askfirst serve: refused a new session of ${user}: ${user} has ${open} open`);
  reply(
    res,
    429,
    `too many sessions: ${user} has ${open} open, the most one user may hold (--max-sessions-per-user); end an unused one with DELETE /mcp, or wait for it to expire`,
  );
}

function refuseRebinding(res: ServerResponse, serving: Serving, refusal: string): void {
  // One line per distinct refusal, so a page retrying in a loop cannot flood the log.
  if (!serving.loggedRefusals.has(refusal) && serving.loggedRefusals.size < 100) {
    serving.loggedRefusals.add(refusal);
    serving.log(
      `askfirst serve: refused a request: ${refusal}; if a proxy serves this name, add --allow-host`,
    );
  }
  reply(
    res,
    403,
    `forbidden: ${refusal} (DNS-rebinding protection; the operator can allow a name with --allow-host)`,
  );
}

/** The token's user, or undefined. The token itself is never logged or echoed. */
function authenticate(req: IncomingMessage, tokens: TokenMap): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match?.[1] ? tokens.get(match[1]) : undefined;
}

const refusedBody = Symbol("refused body");

/** The parsed JSON body, or `refusedBody` once a 413 or 400 has been sent. */
async function readBody(req: IncomingMessage, res: ServerResponse, serving: Serving): Promise<unknown> {
  const body = await readJsonBody(req, serving.maxBodyBytes);
  if (body.kind === "json") return body.value;
  if (body.kind === "notJson") reply(res, 400, "parse error: the request body is not valid JSON", -32700);
  else reply(res, 413, `payload too large: request bodies are limited to ${body.limit} bytes`);
  return refusedBody;
}

function reply(res: ServerResponse, status: number, message: string, code = -32000): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
