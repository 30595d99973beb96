import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { writeWhoamiServer } from "../fixtures/whoamiServer.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "askfirst-policy-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A policy meant to stop `shout`, with its name misspelt: the calls fall to the `allow` default. */
async function misspeltPolicy(): Promise<string> {
  const path = join(dir, "policy.json");
  await writeFile(
    path,
    JSON.stringify({ rules: [{ name: "no shouting", tool: "shuot", tier: "deny" }], default: "allow" }),
  );
  return path;
}

describe("askfirst policy", () => {
  it("shows the tier each of the demo's tools gets, conditional rules first, and finds nothing wrong", async () => {
    const result = await runCli(["policy", "--demo", "family-food", "--data", join(dir, "data")], {
      cwd: dir,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^policy: .*examples\/family-food\/policy\.json \(Family food-ordering demo/);
    expect(lines).toContain("askfirst: 14 tools for henry");
    expect(result.stdout).toMatch(/\n {2}approve_access_request +confirm +rule 3 \(decide a request\)\n/);
    expect(result.stdout).toMatch(
      /\n {2}order_dish +confirm +rule 4 \(expensive dish\), if dish_name is one of "Truffle Pizza", .*\n +notify +rule 5 \(everyday dish\), otherwise\n/,
    );
    expect(result.stdout).not.toContain("warnings");
  });

  it("names a rule that can never apply, and exits 2 so a script can check a policy", async () => {
    const server = `node ${await writeWhoamiServer(dir)}`;
    const result = await runCli(
      ["policy", "--server", server, "--policy", await misspeltPolicy(), "-u", "rose"],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("whoamiServer: 2 tools for rose\n");
    expect(result.stdout).toMatch(/\n {2}shout +allow +default\n/);
    expect(result.stdout).toContain(
      'warnings:\n  rule 1 (no shouting): tool "shuot" matches no tool the servers offer; check its spelling (shout?)\n',
    );
    expect(result.stderr).toContain(
      "askfirst: the policy has a rule part that can never apply (see warnings)",
    );
  });
});

describe("askfirst chat with a policy rule that can never apply", () => {
  const chat = (...args: string[]) => runCli(["chat", "--store", "memory", ...args], { cwd: dir });

  it("warns before the first turn, then runs as the policy says", async () => {
    const model = join(dir, "model.json");
    await writeFile(model, JSON.stringify([{ tool_calls: [{ name: "shout", args: {} }] }, { text: "done" }]));
    const server = `node ${await writeWhoamiServer(dir)}`;
    const policy = await misspeltPolicy();
    const result = await chat(
      "--server",
      server,
      "--policy",
      policy,
      "-u",
      "rose",
      "-m",
      `scripted:${model}`,
      "-q",
      "shout",
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'askfirst: policy rule 1 (no shouting): tool "shuot" matches no tool the servers offer; check its spelling (shout?)\n',
    );
    expect(result.stdout).toMatch(/shout\(\{\}\) — allowed \[allow: default\]/);
  });

  it("says nothing with a policy whose rules all apply", async () => {
    const result = await chat(
      "--demo",
      "family-food",
      "--data",
      join(dir, "data"),
      "-m",
      "local",
      "-q",
      "list restaurants",
    );
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("policy");
  });
});
