import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type HttpOptions, type HttpServing, serveHttp } from "../../../../src/server/transports/http.js";
import { initializeBody as initialize, mcpPostHeaders, sendRaw as send } from "../../../helpers/rawMcp.js";
import { ManualTimers } from "./manualTimers.js";

const henryToken = "henry-secret-0a1b2c";
const roseToken = "rose-secret-3d4e5f";
const tokens = new Map([
  [henryToken, "henry"],
  [roseToken, "rose"],
]);
const auth = { Authorization: `Bearer ${henryToken}` };
const postHeaders = { ...mcpPostHeaders, ...auth };

/** A real MCP server whose one tool says whom the session acts for. */
function whoamiServer(user: string): McpServer {
  const server = new McpServer({ name: "whoami", version: "0.0.0" });
  server.registerTool("whoami", { description: "the acting user" }, () => ({
    content: [{ type: "text", text: user }],
  }));
  return server;
}

const listTools = (sessionId: string) =>
  send(
    url(),
    "POST",
    { ...postHeaders, "mcp-session-id": sessionId },
    JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  );

let serving: HttpServing | undefined;
const clients: Client[] = [];
const url = () => serving?.url ?? "";

async function start(options: HttpOptions = {}): Promise<{ timers: ManualTimers; log: string[] }> {
  const timers = new ManualTimers();
  const log: string[] = [];
  serving = await serveHttp({ host: "127.0.0.1", port: 0 }, tokens, whoamiServer, {
    timers,
    log: (line) => log.push(line),
    sessionIdleMs: 60_000,
    ...options,
  });
  return { timers, log };
}

async function connect(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "unit-http", version: "0.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url()), { requestInit: { headers: auth } });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

async function whoami(client: Client): Promise<string> {
  const result = await client.callTool({ name: "whoami", arguments: {} });
  return (result.content as { text: string }[])[0]?.text ?? "";
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await serving?.close();
  serving = undefined;
});

describe("serveHttp sessions", () => {
  it("closes an abandoned session after the idle time (404 after), but not one whose client is still connected", async () => {
    const { timers, log } = await start();
    const { client, transport } = await connect();
    const raw = await send(url(), "POST", postHeaders, initialize);
    expect(raw.status).toBe(200);
    // The connected client holds its notification stream open; only the raw session waits to expire.
    await vi.waitFor(() => expect(timers.armed).toEqual([60_000]));
    timers.elapse();
    expect((await listTools(raw.sessionId ?? "")).status).toBe(404);
    expect(await whoami(client)).toBe("henry");

    const clientSession = transport.sessionId ?? "";
    await client.close();
    await vi.waitFor(() => expect(timers.armed).toEqual([60_000]));
    timers.elapse();
    const gone = await listTools(clientSession);
    expect(gone.status).toBe(404);
    expect(gone.body).toContain("unknown or expired session; initialize a new one");
    expect(log).toEqual([
      "askfirst serve: closed a session of henry after 60 s without requests",
      "askfirst serve: closed a session of henry after 60 s without requests",
    ]);
  });

  it("refuses another user's token on a session with 403, without keeping that session alive", async () => {
    const { timers } = await start();
    const opened = await send(url(), "POST", postHeaders, initialize);
    const sessionId = opened.sessionId ?? "";
    await vi.waitFor(() => expect(timers.armed).toEqual([60_000]));
    timers.advance(40_000);
    const asRose = await send(
      url(),
      "POST",
      { ...mcpPostHeaders, Authorization: `Bearer ${roseToken}`, "mcp-session-id": sessionId },
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    );
    expect(asRose.status).toBe(403);
    expect(asRose.body).toContain("this session belongs to another user");
    timers.advance(20_000);
    expect((await listTools(sessionId)).status).toBe(404);
  });

  it("answers 503 to a session past --max-sessions while the open ones keep working", async () => {
    const { log } = await start({ maxSessions: 1 });
    const { client, transport } = await connect();
    const refused = await send(url(), "POST", postHeaders, initialize);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: {
        message: expect.stringMatching(/^server busy: 1 session is open, .*--max-sessions/) as unknown,
      },
    });
    expect(await whoami(client)).toBe("henry");
    await transport.terminateSession();
    expect((await send(url(), "POST", postHeaders, initialize)).status).toBe(200);
    expect(log).toEqual(["askfirst serve: refused a new session of henry: 1 session is open"]);
    expect(log.join("\n")).not.toContain(henryToken);
  });
});

describe("serveHttp sessions per user", () => {
  it("answers 429 to a user past --max-sessions-per-user while another user still gets a session", async () => {
    const { log } = await start({ maxSessions: 3, maxSessionsPerUser: 2 });
    for (let opened = 0; opened < 2; opened += 1)
      expect((await send(url(), "POST", postHeaders, initialize)).status).toBe(200);
    const refused = await send(url(), "POST", postHeaders, initialize);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: {
        message: expect.stringMatching(
          /^too many sessions: henry has 2 sessions open, .*--max-sessions-per-user/,
        ) as unknown,
      },
    });
    const asRose = { ...mcpPostHeaders, Authorization: `Bearer ${roseToken}` };
    expect((await send(url(), "POST", asRose, initialize)).status).toBe(200);
    expect(log).toEqual(["askfirst serve: refused a new session of henry: henry has 2 sessions open"]);
  });
});

describe("serveHttp Host and Origin checks", () => {
  it("refuses a rebound Host or a foreign Origin with 403 before looking at the token, and logs it once", async () => {
    const { log } = await start({ allowedHosts: ["mcp.example.com"] });
    for (let attempt = 0; attempt < 3; attempt++) {
      const refused = await send(url(), "POST", { ...postHeaders, Host: "evil.example:80" }, initialize);
      expect(refused.status).toBe(403);
      expect(refused.body).toContain(
        'forbidden: Host \\"evil.example:80\\" is not a name this server answers to',
      );
    }
    const badOrigin = await send(
      url(),
      "POST",
      { ...postHeaders, Origin: "http://evil.example" },
      initialize,
    );
    expect(badOrigin.status).toBe(403);
    expect(badOrigin.body).toContain("DNS-rebinding protection");
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^askfirst serve: refused a request: Host "evil.example:80" .*--allow-host$/);

    const proxied = await send(
      url(),
      "POST",
      { ...postHeaders, Host: "mcp.example.com", Origin: "https://mcp.example.com" },
      initialize,
    );
    expect(proxied.status).toBe(200);
    const local = await send(
      url(),
      "POST",
      { "Content-Type": "application/json", Host: "localhost:1" },
      initialize,
    );
    expect(local.status).toBe(401);
  });
});

describe("serveHttp request bodies", () => {
  it("answers 413 past the body limit, declared or streamed, and 400 to malformed JSON, and goes on serving", async () => {
    await start({ maxBodyBytes: 1000 });
    const opened = await send(url(), "POST", postHeaders, initialize);
    const session = { ...postHeaders, "mcp-session-id": opened.sessionId ?? "" };
    const declared = await send(url(), "POST", postHeaders, "x".repeat(1001));
    expect(declared.status).toBe(413);
    expect(declared.body).toContain("payload too large: request bodies are limited to 1000 bytes");
    const streamed = await send(
      url(),
      "POST",
      session,
      Array.from({ length: 20 }, () => Buffer.alloc(100, 32)),
    );
    expect(streamed.status).toBe(413);
    const malformed = await send(url(), "POST", session, '{"jsonrpc": "2.0", "id": 3, "method": ');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toEqual({
      jsonrpc: "2.0",
      error: { code: -32700, message: "parse error: the request body is not valid JSON" },
      id: null,
    });
    expect((await listTools(opened.sessionId ?? "")).status).toBe(200);
  });
});
