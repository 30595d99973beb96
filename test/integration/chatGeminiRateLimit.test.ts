import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanEnv, cliPath, runCli } from "../helpers/cli.js";
import { rateLimited, startFakeGemini, type Recorded } from "../helpers/fakeGemini.js";

const key = "AIzaRateLimitedKey7781";
const quota = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier";
const answer = { parts: [{ text: "Four restaurants." }] };

let dir: string;
let server: Awaited<ReturnType<typeof startFakeGemini>> | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "askfirst-gemini-429-"));
});
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

function chatArgs(query: string): string[] {
  return ["chat", "--demo", "family-food", "--data", join(dir, "data"), "--store", "memory", "-q", query];
}

function geminiEnv(port: number) {
  return { GOOGLE_API_KEY: key, GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:${port}` };
}

describe("askfirst chat when Gemini answers 429 with RetryInfo", () => {
  it("says once that Gemini asked to wait, waits, sends again and shows the answer", async () => {
    const recorded: Recorded[] = [];
    server = await startFakeGemini(recorded, [rateLimited("0.2s", quota), answer]);
    const result = await runCli(chatArgs("which restaurants?"), { cwd: dir, env: geminiEnv(server.port) });
    expect(result.code).toBe(0);
    const notice = `askfirst: Gemini asked to wait 0.2 s (rate limit, quota ${quota}); trying again then (Ctrl-C cancels)`;
    expect(result.stderr.split("\n").filter((line) => line === notice)).toHaveLength(1);
    expect(result.stdout).toContain("agent: Four restaurants.");
    expect(recorded).toHaveLength(2);
    expect(result.stdout + result.stderr).not.toContain(key);
  });

  it("fails the turn at once when the wait is long, naming the rate limit, the wait and the quota", async () => {
    const recorded: Recorded[] = [];
    server = await startFakeGemini(recorded, [rateLimited("3600s", quota), answer]);
    const result = await runCli(chatArgs("which restaurants?"), { cwd: dir, env: geminiEnv(server.port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `askfirst: that turn failed: Gemini's rate limit (quota ${quota}): it asked to wait 60 min, longer than askfirst waits (60 s); send the message again later`,
    );
    expect(result.stderr).not.toContain("trying again then");
    expect(recorded).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain(key);
  });

  it("Ctrl-C during the wait ends the turn at once: exit 130, nothing sent again", async () => {
    const recorded: Recorded[] = [];
    server = await startFakeGemini(recorded, [rateLimited("50s", quota), answer]);
    const child = spawn(process.execPath, [cliPath, ...chatArgs("which restaurants?")], {
      cwd: dir,
      env: cleanEnv(geminiEnv(server.port)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let pressed = false;
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (!pressed && output.includes("Gemini asked to wait 50 s")) pressed = child.kill("SIGINT");
    });
    // Well short of the 50 s asked for: a wait that ignored Ctrl-C would be killed here and fail the test.
    const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(guard);
    expect(output).toContain("Gemini asked to wait 50 s");
    expect(code).toBe(130);
    expect(output).toMatch(/cancelled/);
    expect(recorded).toHaveLength(1);
  });
});
