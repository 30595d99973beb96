import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/store/types.js";
import { cleanEnv, cliPath } from "../helpers/cli.js";
import {
  createReviewWorld,
  queueSendMoney,
  spawnOnTerminal,
  watchTerminal,
  type ReviewWorld,
} from "./reviewFixtures.js";

/**
 * Starts `askfirst chat` as joe on a pseudo-terminal, so the terminal reviewer really waits, and types one
 * request at its prompt.
 */
async function startChatOnTerminal(
  world: ReviewWorld,
  args: string[],
): Promise<{ child: ChildProcess; pidFile: string }> {
  const pidFile = join(world.folder, "chat.pid");
  const child = spawnOnTerminal(world, ["chat", ...args], pidFile);
  const terminal = watchTerminal(child);
  try {
    await terminal.seen(/joe>/);
  } catch (error) {
    terminal.stop();
    throw error;
  }
  terminal.type("send ann 5\r");
  return { child, pidFile };
}

function waitForPending(world: ReviewWorld, threadId: string): Promise<boolean> {
  return waitFor(async () => {
    const pending = await world.cli(["pending", "--json"]);
    return (
      pending.code === 0 &&
      (JSON.parse(pending.stdout) as { threadId: string }[]).some((v) => v.threadId === threadId)
    );
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe("a review survives kill -9", () => {
  let world: ReviewWorld;
  beforeAll(() => {
    world = createReviewWorld();
  });
  afterAll(() => world.cleanup());

  it("shows the same review after a restart, runs nothing while it waits, and runs the call exactly once", async () => {
    const threadId = "thread-crash";
    const model = world.model("ask", [
      { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 5 } }] },
    ]);
    const { child, pidFile } = await startChatOnTerminal(world, ["-t", threadId, "-u", "joe", "-m", model]);
    const exited = new Promise((resolve) => child.on("close", resolve));
    try {
      expect(await waitForPending(world, threadId)).toBe(true);
      process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGKILL");
      await exited;
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(world.serverCalls()).toEqual([]);

    const restarted = await world.cli([
      "chat",
      "-t",
      threadId,
      "--answers",
      world.answers("yes", ["yes"]),
      "--reviewer",
      "mom",
      "-m",
      world.model("after", [{ text: "Sent 5 to ann." }]),
    ]);
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toContain("you: send ann 5");
    expect(restarted.stdout).toContain("This thread has a review waiting; it is answered first.");
    expect(restarted.stdout).toContain("agent: Sent 5 to ann.");
    expect(world.serverCalls()).toEqual([
      { tool: "send_money", user: "joe", args: { to: "ann", amount: 5 } },
    ]);
    const audit = JSON.parse((await world.cli(["audit", "--json"])).stdout) as AuditRecord[];
    expect(audit).toMatchObject([{ threadId, decision: "approved", reviewer: "mom", outcome: "ok" }]);
    expect((await world.cli(["pending"])).stdout).toBe("No reviews are pending.\n");
  });
});

/** Starts `askfirst review` in the background with the world's store, server and policy. */
/** What `audit --seq --match-args` says of these arguments and the record numbered `seq`. */
async function ranWith(world: ReviewWorld, seq: number | undefined, args: Record<string, unknown>) {
  const matched = await world.cli([
    "audit",
    "--seq",
    String(seq),
    "--match-args",
    JSON.stringify(args),
    "--json",
  ]);
  return JSON.parse(matched.stdout) as unknown;
}

function startReview(world: ReviewWorld, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [cliPath, "review", ...args, ...world.connect()], {
    cwd: world.folder,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/**
 * Queues a review of `send_money` in a new thread, approves it with `askfirst review`, and kills that
 * process with kill -9 while the tool runs: after the tool ran, before any checkpoint.
 */
async function killWhileToolRuns(world: ReviewWorld, threadId: string, args: Record<string, unknown>) {
  const asked = await queueSendMoney(world, { flags: ["-t", threadId, "-u", "joe"], query: "send it", args });
  expect(asked.result.code).toBe(3);
  const calls = world.serverCalls().length;
  const release = world.holdCalls();
  const reviewing = startReview(
    world,
    [threadId, "--approve", "--reviewer", "mom"].concat(["-m", world.model("never", [{ text: "Sent." }])]),
  );
  const exited = new Promise((resolve) => reviewing.on("close", resolve));
  try {
    expect(await waitFor(() => world.serverCalls().length === calls + 1)).toBe(true);
    reviewing.kill("SIGKILL");
    await exited;
  } finally {
    if (reviewing.exitCode === null) reviewing.kill("SIGKILL");
    release();
  }
}

describe("a tool killed mid-run", () => {
  let world: ReviewWorld;
  beforeAll(() => {
    world = createReviewWorld();
  });
  afterAll(() => world.cleanup());

  it("is not run again after kill -9: the restart says it may have run, and the audit records that", async () => {
    const threadId = "thread-twice";
    const args = { to: "ann", amount: 5 };
    await killWhileToolRuns(world, threadId, args);
    // Its claim was left by a process that died: pending says so, rather than that mom is answering.
    expect((await world.cli(["pending"])).stdout).toContain(
      "claimed by mom, whose process is gone: the next answer takes it over",
    );

    const restarted = await world.cli(
      ["chat", "-t", threadId, "--answers", world.answers("yes", ["yes"])].concat([
        "--reviewer",
        "dad",
        "-m",
        world.model("after", [{ text: "I could not confirm it." }]),
      ]),
    );
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toContain("This thread has a review waiting; it is answered first.");
    expect(restarted.stdout).toMatch(/send_money may have run before a crash: .*not run again/);
    expect(restarted.stdout).toContain("agent: I could not confirm it.");
    expect(world.serverCalls()).toEqual([{ tool: "send_money", user: "joe", args }]);
    const audit = JSON.parse(
      (await world.cli(["audit", "--thread", threadId, "--json"])).stdout,
    ) as AuditRecord[];
    // Who made it run (mom, before the crash) comes first, kept by the journal before the tool started.
    expect(audit).toMatchObject([
      { threadId, decision: "approved", reviewer: "mom", outcome: "error" },
      { threadId, decision: "approved", reviewer: "dad", outcome: "error" },
    ]);
    expect(await ranWith(world, audit[0]?.seq, args)).toEqual({ seq: audit[0]?.seq, asked: true, ran: true });
    expect(audit[0]?.error).toMatch(/may have run before a crash/);
    expect(audit[1]?.error).toMatch(/may have run before a crash/);
    expect((await world.cli(["pending"])).stdout).toBe("No reviews are pending.\n");
  });

  it("a rejection on restart cannot undo it: the model, the person and the audit are told it may have run", async () => {
    const threadId = "thread-too-late";
    const args = { to: "bob", amount: 7 };
    await killWhileToolRuns(world, threadId, args);

    const rejected = await world.cli(
      ["review", threadId, "--reject", "not bob", "--reviewer", "dad"].concat([
        "-m",
        world.model("sorry", [{ text: "Noted." }]),
      ]),
    );
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toMatch(/The rejection came too late: send_money may have run before a crash/);
    expect(world.serverCalls().filter((call) => call.args.to === "bob")).toHaveLength(1);
    const audit = JSON.parse(
      (await world.cli(["audit", "--thread", threadId, "--json"])).stdout,
    ) as AuditRecord[];
    expect(audit).toMatchObject([
      { threadId, decision: "approved", reviewer: "mom", outcome: "error" },
      { threadId, decision: "rejected", reviewer: "dad", outcome: "error" },
    ]);
    expect(audit[1]?.error).toMatch(/^The rejection came too late/);
    expect(await ranWith(world, audit[0]?.seq, args)).toEqual({ seq: audit[0]?.seq, asked: true, ran: true });
  });
});
