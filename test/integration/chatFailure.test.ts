import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "askfirst-chat-failure-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("askfirst chat -q when a turn fails", () => {
  it("says why the turn failed, stops with exit 1, and never calls it an interruption", async () => {
    const model = join(dir, "model.json");
    await writeFile(model, JSON.stringify([{ text: "Hello, henry." }]));
    const result = await runCli([
      "chat",
      "--demo",
      "family-food",
      "--data",
      join(dir, "data"),
      "--store",
      "memory",
      "-m",
      `scripted:${model}`,
      "-q",
      "hi",
      "-q",
      "and again",
    ]);
    expect(result.stdout).toContain("agent: Hello, henry.");
    expect(result.stderr).toMatch(/that turn failed: the scripted model .* has no turn left/);
    expect(result.stderr).toContain("stopped: a query failed (see above)");
    expect(result.stderr).not.toContain("interrupted");
    expect(result.code).toBe(1);
  });

  it("shows the calls that ran before the model failed, before saying why the turn failed", async () => {
    const model = join(dir, "model.json");
    const order = (dish: string) => ({
      name: "order_dish",
      args: { resource_instance: "pizza-palace", dish_name: dish },
    });
    // The demo's policy lets henry order (notify); the model then has no turn left to answer with.
    await writeFile(model, JSON.stringify([{ tool_calls: [order("Margherita Pizza")] }]));
    const result = await runCli([
      ...["chat", "--demo", "family-food", "--data", join(dir, "data"), "--store", "memory"],
      ...["-m", `scripted:${model}`, "-q", "a pizza please"],
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/that turn failed: the scripted model .* has no turn left/);
    expect(result.stdout).toMatch(/order_dish/);
    const shown = result.stdout.indexOf("order_dish");
    expect(shown).toBeGreaterThan(result.stdout.indexOf("you (henry): a pizza please"));
  });

  it("tells a first chat without --demo how to seed its data, in flags chat takes, and exits 2", async () => {
    const data = join(dir, "data");
    const result = await runCli(["chat", "--data", data, "--store", "memory", "-q", "list restaurants"], {
      env: { ASKFIRST_USER: "henry" },
    });
    expect(result.stderr).toBe(
      `askfirst: data folder ${data} holds no resources yet; start with --demo family-food, or seed it from a file with askfirst serve --seed <file> --data ${data}\n`,
    );
    expect(result.code).toBe(2);
    expect(existsSync(data)).toBe(false);
  });

  it("refuses a --data path that is a file before it starts the built-in server", async () => {
    const file = join(dir, "model.json");
    await writeFile(file, "[]");
    const result = await runCli(["chat", "--data", file, "--store", "memory", "-q", "list restaurants"], {
      env: { ASKFIRST_USER: "henry" },
    });
    expect(result.stderr).toMatch(/--data .*model\.json is a file \(or inside one\), not a folder/);
    expect(result.code).toBe(2);
  });

  it("starts no built-in server for a data folder it refuses (with DEBUG, the server's refusal would show too)", async () => {
    const data = join(dir, "data");
    const result = await runCli(["chat", "--data", data, "--store", "memory", "-q", "list restaurants"], {
      env: { ASKFIRST_USER: "henry", DEBUG: "1" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n").filter((line) => line.startsWith("askfirst: data folder"))).toHaveLength(
      1,
    );
  });
});
