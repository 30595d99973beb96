import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createToolbox } from "../../../src/mcp/connect.js";
import { builtInServer } from "../../../src/mcp/servers.js";
import { repoRoot } from "../../helpers/cli.js";

const folder = mkdtempSync(join(tmpdir(), "askfirst-toolbox-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("the toolbox", () => {
  it("connects once per acting user and hands back the same list every time", async () => {
    const toolbox = createToolbox([builtInServer({ demo: "family-food", data: join(folder, "data") })]);
    try {
      const first = await toolbox.toolsFor("henry");
      expect(first.map((item) => item.tool.name)).toContain("order_dish");
      expect(await toolbox.toolsFor("henry")).toBe(first);
      const joes = await toolbox.toolsFor("joe");
      expect(joes).not.toBe(first);
      expect(joes.map((item) => item.tool.name)).toEqual(first.map((item) => item.tool.name));
    } finally {
      await toolbox.close();
    }
  });

  it("tries a server that failed to start again on the next call, and names it each time", async () => {
    const starts = join(folder, "starts.txt");
    const script = `require("node:fs").appendFileSync(${JSON.stringify(starts)}, "x"); process.exit(3)`;
    const toolbox = createToolbox([
      { kind: "stdio", name: "broken", command: process.execPath, args: ["-e", script], env: {} },
    ]);
    try {
      await expect(toolbox.toolsFor("henry")).rejects.toThrow(/broken/);
      await expect(toolbox.toolsFor("henry")).rejects.toThrow(/broken/);
      expect(readFileSync(starts, "utf8")).toBe("xx");
    } finally {
      await toolbox.close();
    }
  });

  it("starts a server again on next use after it went away (it crashed, or Ctrl-C reached it)", async () => {
    const sdk = (path: string) =>
      JSON.stringify(
        pathToFileURL(join(repoRoot, "node_modules/@modelcontextprotocol/sdk/dist/esm", path)).href,
      );
    const script = join(folder, "pidServer.mjs");
    writeFileSync(
      script,
      `import { McpServer } from ${sdk("server/mcp.js")};
import { StdioServerTransport } from ${sdk("server/stdio.js")};
const server = new McpServer({ name: "pid", version: "1.0.0" });
server.registerTool("pid", { description: "This server's process id" }, () => ({ content: [{ type: "text", text: String(process.pid) }] }));
await server.connect(new StdioServerTransport());
`,
    );
    const toolbox = createToolbox([
      { kind: "stdio", name: "pid", command: process.execPath, args: [script], env: {} },
    ]);
    const pidOf = async () => {
      const [pid] = await toolbox.toolsFor("henry");
      return Number(await pid?.tool.invoke({}));
    };
    try {
      const first = await pidOf();
      process.kill(first, "SIGINT");
      await expect.poll(pidOf, { timeout: 10_000 }).not.toBe(first);
      expect(await pidOf()).not.toBe(first);
    } finally {
      await toolbox.close();
    }
  });
});
