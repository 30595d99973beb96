import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../helpers/cli.js";
import { initializeBody as initialize, mcpPostHeaders, type RawAnswer, sendRaw } from "../helpers/rawMcp.js";
import { type RunningHttp, startHttp } from "./httpServe.js";

const henryToken = "henry-token-5d8e2f";
const env = { ASKFIRST_HTTP_TOKENS: `${henryToken}=henry` };
const headers = { ...mcpPostHeaders, Authorization: `Bearer ${henryToken}` };
const listInstances = JSON.stringify({
  jsonrpc: "2.0",
  id: 2,
  method: "tools/call",
  params: { name: "list_resource_instances", arguments: {} },
});

const post = (url: string, body: string, extra: Record<string, string> = {}): Promise<RawAnswer> =>
  sendRaw(url, "POST", { ...headers, ...extra }, body);

describe("askfirst serve --http limits", () => {
  let dir: string;
  let running: RunningHttp | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "askfirst-http-limits-"));
  });
  afterEach(async () => {
    running?.child.kill("SIGTERM");
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const serve = async (args: string[]): Promise<RunningHttp> =>
    (running = await startHttp(["--data", join(dir, "data"), "--http", "127.0.0.1:0", ...args], env));

  it("refuses a session past --max-sessions with 503, and closes an idle one after --session-idle (404 after)", async () => {
    const { url, stderr } = await serve(["--session-idle", "2", "--max-sessions", "1"]);
    const first = await post(url, initialize);
    expect(first.status).toBe(200);
    const second = await post(url, initialize);
    expect(second.status).toBe(503);
    expect(second.body).toContain(
      "server busy: 1 session is open, the most it serves at once (--max-sessions)",
    );
    const used = await post(url, listInstances, { "mcp-session-id": first.sessionId ?? "" });
    expect(used.status).toBe(200);
    expect(used.body).toContain("pizza-palace");

    await vi.waitFor(
      () => expect(stderr()).toContain("closed a session of henry after 2 s without requests"),
      {
        timeout: 5000,
        interval: 100,
      },
    );
    const expired = await post(url, listInstances, { "mcp-session-id": first.sessionId ?? "" });
    expect(expired.status).toBe(404);
    expect(expired.body).toContain("unknown or expired session; initialize a new one");
    expect((await post(url, initialize)).status).toBe(200);
    expect(stderr()).not.toContain(henryToken);
  });

  it("refuses a request whose Host or Origin names another site with 403, unless allowed with --allow-host", async () => {
    const { url, stderr } = await serve(["--allow-host", "mcp.example.com"]);
    const rebound = await post(url, initialize, { Host: "attacker.example:8787" });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain("is not a name this server answers to (DNS-rebinding protection");
    const crossSite = await post(url, initialize, { Origin: "https://attacker.example" });
    expect(crossSite.status).toBe(403);
    expect(stderr()).toContain(
      'refused a request: Host "attacker.example:8787" is not a name this server answers to',
    );
    const proxied = await post(url, initialize, {
      Host: "mcp.example.com",
      Origin: "https://mcp.example.com",
    });
    expect(proxied.status).toBe(200);
    expect((await post(url, initialize, { Host: "localhost" })).status).toBe(200);
  });

  it("answers 413 to a body over 1 MiB and a JSON-RPC parse error (400) to malformed JSON", async () => {
    const { url } = await serve([]);
    const large = await post(url, JSON.stringify({ padding: "x".repeat(1024 * 1024) }));
    expect(large.status).toBe(413);
    expect(large.body).toContain("payload too large: request bodies are limited to 1048576 bytes");
    const malformed = await post(url, "{ not json");
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ error: { code: -32700 } });
    expect((await post(url, initialize)).status).toBe(200);
  });

  it("rejects a bad limit flag with exit 2 and one line, before creating the data folder", async () => {
    const data = join(dir, "untouched");
    const cases: [string[], string][] = [
      [
        ["--http", "0", "--session-idle", "0"],
        'invalid --session-idle "0"; expected a whole number of seconds',
      ],
      [["--http", "0", "--max-sessions", "lots"], 'invalid --max-sessions "lots"'],
      [
        ["--http", "0", "--allow-host", "https://mcp.example.com/"],
        "expected a host name or IP without scheme or port",
      ],
      [["--max-sessions", "5"], "--max-sessions only applies with --http"],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(["serve", "--demo", "family-food", "--data", data, ...args], { env });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(existsSync(data)).toBe(false);
  });
});
