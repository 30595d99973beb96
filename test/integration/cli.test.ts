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
