import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "askfirst-chat-user-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const demo = () => ["chat", "--demo", "family-food", "--data", join(dir, "data"), "--store", "memory"];
const expected = "is not a user key: expected a letter or digit, then letters, digits, . _ @ -";

describe("askfirst chat checks the acting user before anything starts", () => {
  it("-u with a value that is not a user key: exit 2 naming the flag and the value", async () => {
    const result = await runCli([...demo(), "-u", "rose smith", "-m", "local", "-q", "hi"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`-u "rose smith" ${expected}`);
    expect(result.stderr).not.toContain("MCP server");
    expect(result.stdout).toBe("");
  });

  it("ASKFIRST_USER that is not a user key: exit 2 naming the variable, for a new thread too", async () => {
    const env = { ASKFIRST_USER: "rose!" };
    const fresh = await runCli([...demo(), "-m", "local", "-q", "hi"], { cwd: dir, env });
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toContain(`ASKFIRST_USER "rose!" ${expected}`);
    expect(fresh.stderr).not.toContain("MCP server");
    const threaded = await runCli([...demo(), "-t", "t-new", "-m", "local", "-q", "hi"], { cwd: dir, env });
    expect(threaded.code).toBe(2);
    expect(threaded.stderr).toContain(`ASKFIRST_USER "rose!" ${expected}`);
  });

  it("-u wins over ASKFIRST_USER, so a bad variable under a good flag changes nothing", async () => {
    const result = await runCli([...demo(), "-u", "joe", "-m", "local", "-q", "list restaurants"], {
      cwd: dir,
      env: { ASKFIRST_USER: "rose!" },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("acting as joe");
  });
});
