import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createToolbox } from "../../../src/mcp/connect.js";
import { builtInServer } from "../../../src/mcp/servers.js";

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
});
