import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("askfirst CLI entry", () => {
  it("prints help and exits 0", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: askfirst");
  });

  it("exits 2 with a one-line error for an unknown option", async () => {
    const result = await runCli(["--frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});

describe("DEBUG=1", () => {
  it("prints the stack trace of an error, with the lines of src/*.ts it passed through", async () => {
    const result = await runCli(["pending", "--store", "bogus:xyz"], { env: { DEBUG: "1" } });
    expect(result.code).toBe(2);
    const [first, second, ...frames] = result.stderr.trimEnd().split("\n");
    expect(first).toBe(
      'askfirst: invalid --store "bogus:xyz": expected memory, sqlite:<path> or postgres://user@host:port/database',
    );
    expect(second).toMatch(/^UsageError: invalid --store/);
    expect(frames[0]).toMatch(/^ {4}at parseStoreSpec \(.*\/src\/store\/open\.ts:\d+:\d+\)$/);
    expect(frames.some((frame) => frame.includes("/src/cli/commands/pending.ts:"))).toBe(true);
    const plain = await runCli(["pending", "--store", "bogus:xyz"]);
    expect(plain.stderr).toBe(`${first}\n`);
  });
});

describe("askfirst --dotenv <file>", () => {
  it("reads settings from the file, before or after the command; the environment wins over it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "askfirst-dotenv-"));
    try {
      await writeFile(join(dir, "demo.env"), "ASKFIRST_USER=joe\n");
      const policy = ["policy", "--demo", "family-food", "--data", join(dir, "data")];
      const before = await runCli(["--dotenv", "demo.env", ...policy], { cwd: dir });
      expect(before.stdout).toContain("askfirst: 14 tools for joe\n");
      const after = await runCli([...policy, "--dotenv", "demo.env"], { cwd: dir });
      expect(after.stdout).toContain("askfirst: 14 tools for joe\n");
      const env = await runCli(["--dotenv", "demo.env", ...policy], {
        cwd: dir,
        env: { ASKFIRST_USER: "rose" },
      });
      expect(env.stdout).toContain("askfirst: 14 tools for rose\n");
      const missing = await runCli(["--dotenv", "nope.env", ...policy], { cwd: dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toBe(
        `askfirst: cannot read --dotenv ${join(dir, "nope.env")}: ENOENT: no such file or directory, open '${join(dir, "nope.env")}'\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("sets its variables where libraries and the error report read them too (process.env)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "askfirst-dotenv-"));
    try {
      await writeFile(join(dir, "debug.env"), "DEBUG=1\n");
      const result = await runCli(["--dotenv", "debug.env", "policy", "--policy", "nope.json"], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^askfirst: cannot read policy file .*\n\w*Error: .*\n {4}at /);
      // Set from the file, DEBUG still maps the lines of modules loaded after it was read.
      expect(result.stderr).toMatch(/ {4}at .*src\/cli\/policyReport\.ts:\d+:\d+\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
