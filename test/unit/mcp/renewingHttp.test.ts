import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createToolbox, type LoadedTool } from "../../../src/mcp/connect.js";
import { type RunningHttp, startHttp } from "../../integration/httpServe.js";

const henryToken = "henry-token-a81c55";

/** Calls one of the tools by name and returns its text. */
async function call(tools: LoadedTool[], name: string, args: Record<string, unknown>): Promise<string> {
  const loaded = tools.find((item) => item.tool.name === name);
  if (!loaded) throw new Error(`no tool ${name}`);
  return JSON.stringify(await loaded.tool.invoke(args));
}

describe("a server reached over Streamable HTTP", () => {
  let dir: string;
  let running: RunningHttp | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "askfirst-renew-"));
    await writeFile(join(dir, "tokens.json"), JSON.stringify({ [henryToken]: "henry" }));
  });
  afterEach(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** `askfirst serve --http` on `address`, with this test's data folder and tokens. */
  const serve = (address: string, ...flags: string[]) =>
    startHttp([
      "--data",
      join(dir, "data"),
      "--http",
      address,
      "--tokens",
      join(dir, "tokens.json"),
      ...flags,
    ]);

  /** Stops the running server and waits until it has exited. */
  async function stop(): Promise<void> {
    const child = running?.child;
    running = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  /** A toolbox reaching the running server as henry, and henry's tools. */
  async function henrysTools(url: URL) {
    const toolbox = createToolbox([{ kind: "http", name: "askfirst", url }], {
      tokens: new Map([["henry", henryToken]]),
    });
    return { toolbox, tools: await toolbox.toolsFor("henry") };
  }

  it("is reached in a new session after it restarts, and the call it refused is sent once", async () => {
    running = await serve("127.0.0.1:0");
    const url = new URL(running.url);
    const { toolbox, tools } = await henrysTools(url);
    try {
      const reason = { resource_instance: "pizza-palace", role: "child-can-order" };
      expect(await call(tools, "create_access_request", { ...reason, reason: "first" })).toContain("Created");
      // The server restarts: it knows no session any more (HTTP 404 to the old one).
      await stop();
      running = await serve(url.host);
      const again = { resource_instance: "sushi-world", role: "child-can-order", reason: "second" };
      expect(await call(tools, "create_access_request", again)).toContain("Created");
      const listed = await call(tools, "list_access_requests", {});
      expect(listed).toContain("of 2");
      expect(listed.match(/on sushi-world/g)).toHaveLength(1);
    } finally {
      await toolbox.close();
    }
  });

  it("when it cannot open a new session at once, opens one on a later call", async () => {
    running = await serve("127.0.0.1:0", "--max-sessions", "1");
    const url = new URL(running.url);
    const { toolbox, tools } = await henrysTools(url);
    try {
      await stop();
      running = await serve(url.host, "--max-sessions", "1");
      // Another client takes the only session the restarted server allows: the renewal is refused (503).
      const other = await henrysTools(url);
      await expect(call(tools, "list_resource_instances", {})).rejects.toThrow(/503|sessions/);
      await other.toolbox.close();
      expect(await call(tools, "list_resource_instances", {})).toContain("of 4");
    } finally {
      await toolbox.close();
    }
  });

  it("fails the calls made while it is down, and is reached again once it is back", async () => {
    running = await serve("127.0.0.1:0");
    const url = new URL(running.url);
    const { toolbox, tools } = await henrysTools(url);
    try {
      expect(await call(tools, "list_resource_instances", {})).toContain("of 4");
      await stop();
      await expect(call(tools, "list_resource_instances", {})).rejects.toThrow(/fetch failed|ECONNREFUSED/);
      running = await serve(url.host);
      expect(await call(tools, "list_resource_instances", {})).toContain("of 4");
    } finally {
      await toolbox.close();
    }
  });
});
