import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initializeBody as initialize, mcpPostHeaders } from "../helpers/rawMcp.js";
import { type RunningHttp, startHttp } from "./httpServe.js";

const henryToken = "henry-token-3f9a1c";
const joeToken = "joe-token-77b2e0d1";

async function connectAs(url: string, token: string): Promise<Client> {
  const client = new Client({ name: "it-http", version: "0.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

function textOf(result: Awaited<ReturnType<Client["callTool"]>>): string {
  return (result.content as { text?: string }[]).map((part) => part.text ?? "").join("\n");
}

describe("askfirst serve --http", () => {
  let dir: string;
  let running: RunningHttp | undefined;
  const clients: Client[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "askfirst-http-"));
    await writeFile(join(dir, "tokens.json"), JSON.stringify({ [henryToken]: "henry", [joeToken]: "joe" }));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    running?.child.kill("SIGTERM");
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("binds 127.0.0.1 by default and refuses requests without a valid bearer token", async () => {
    running = await startHttp([
      "--data",
      join(dir, "data"),
      "--http",
      "0",
      "--tokens",
      join(dir, "tokens.json"),
    ]);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const missing = await fetch(running.url, { method: "POST", headers: mcpPostHeaders, body: initialize });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await fetch(running.url, {
      method: "POST",
      headers: { ...mcpPostHeaders, Authorization: "Bearer not-a-known-token" },
      body: initialize,
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain("not-a-known-token");
    await expect(connectAs(running.url, "guessed-token-123")).rejects.toThrow();
  });

  it("acts as the token's user in each session, and keeps one user's session from another's token", async () => {
    running = await startHttp([
      "--data",
      join(dir, "data"),
      "--http",
      "127.0.0.1:0",
      "--tokens",
      join(dir, "tokens.json"),
    ]);
    const henry = await connectAs(running.url, henryToken);
    const joe = await connectAs(running.url, joeToken);
    clients.push(henry, joe);
    const args = { action: "operate", resource_instance: "pizza-palace" };
    expect(textOf(await henry.callTool({ name: "check_permission", arguments: args }))).toBe(
      "henry may not operate on pizza-palace.",
    );
    expect(textOf(await joe.callTool({ name: "check_permission", arguments: args }))).toBe(
      "joe may operate on pizza-palace.",
    );
    const asked = await henry.callTool({
      name: "create_access_request",
      arguments: { resource_instance: "pizza-palace", role: "child-can-order", reason: "over http" },
    });
    expect((asked.structuredContent as { requester: string }).requester).toBe("henry");

    // A raw session opened with henry's token cannot be used with joe's.
    const opened = await fetch(running.url, {
      method: "POST",
      headers: { ...mcpPostHeaders, Authorization: `Bearer ${henryToken}` },
      body: initialize,
    });
    const sessionId = opened.headers.get("mcp-session-id") ?? "";
    expect(sessionId).not.toBe("");
    const hijack = await fetch(running.url, {
      method: "POST",
      headers: { ...mcpPostHeaders, Authorization: `Bearer ${joeToken}`, "mcp-session-id": sessionId },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(hijack.status).toBe(403);
    expect(running.stderr()).not.toContain(henryToken);
    expect(running.stderr()).not.toContain(joeToken);
  });

  it("takes tokens from ASKFIRST_HTTP_TOKENS when no --tokens file is given", async () => {
    running = await startHttp(["--data", join(dir, "data"), "--http", "0"], {
      ASKFIRST_HTTP_TOKENS: `${joeToken}=joe`,
    });
    const joe = await connectAs(running.url, joeToken);
    clients.push(joe);
    const listed = await joe.callTool({ name: "list_resource_instances", arguments: {} });
    expect((listed.structuredContent as { total: number }).total).toBe(4);
  });
});
