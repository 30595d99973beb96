import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/cli.js";
import { type RunningHttp, startHttp } from "./httpServe.js";

const henryToken = "henry-token-5d2e91";
const joeToken = "joe-token-c07f44a2";

describe("askfirst chat with an MCP server reached over Streamable HTTP", () => {
  let dir: string;
  let running: RunningHttp | undefined;
  let tokens: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "askfirst-chat-http-"));
    tokens = join(dir, "tokens.json");
    await writeFile(tokens, JSON.stringify({ [henryToken]: "henry", [joeToken]: "joe" }));
    running = await startHttp(["--data", join(dir, "data"), "--http", "127.0.0.1:0", "--tokens", tokens]);
  });
  afterEach(async () => {
    running?.child.kill("SIGTERM");
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * `askfirst <command>` on the local model against the running server, with the demo's policy and a store in
   * memory unless `flags` give one.
   */
  function run(command: string[], flags: string[], env: Record<string, string> = {}) {
    const policy = join(repoRoot, "examples/family-food/policy.json");
    return runCli(
      command
        .concat(["--server", running?.url ?? "", "-m", "local", "--store", "memory", "--policy", policy])
        .concat(flags),
      { cwd: dir, env },
    );
  }

  /** `askfirst chat -q …` (see run). */
  const chat = (queries: string[], flags: string[], env: Record<string, string> = {}) =>
    run(["chat"], flags.concat(queries.flatMap((query) => ["-q", query])), env);

  it("acts as each acting user by sending that user's bearer token, and never prints a token", async () => {
    const result = await chat(
      ["ask for child-can-order on pizza-palace because hungry", "/as joe", "list access requests"],
      ["-u", "henry", "--tokens", tokens],
    );
    expect(result.code).toBe(0);
    // The server recorded henry as the one asking, and showed the request to joe, a reviewer of it.
    expect(result.stdout).toMatch(/Created access request ar_\w+: henry asks for role child-can-order/);
    expect(result.stdout).toMatch(/access requests 1-1 of 1:\n- ar_\w+: henry asks for role child-can-order/);
    for (const token of [henryToken, joeToken]) expect(result.stdout + result.stderr).not.toContain(token);
  });

  it("lets askfirst review answer, over HTTP, a review a chat queued, acting as the chat's user", async () => {
    const store = ["--tokens", tokens, "--store", `sqlite:${join(dir, "store.db")}`];
    const asked = await chat(
      ["ask for child-can-order on pizza-palace because hungry"],
      ["-u", "henry", ...store],
    );
    const id = /Created access request (ar_\w+)/.exec(asked.stdout)?.[1];
    const queued = await chat([`approve request ${id}`], ["-u", "joe", "--on-review", "queue", ...store]);
    expect(queued.code).toBe(3);
    const thread = queued.stdout.trim().split("\n").at(-1) ?? "";
    const answered = await run(["review", thread, "--approve", "--reviewer", "mom"], store);
    expect(answered.code).toBe(0);
    expect(answered.stdout).toContain("approved by mom");
    expect(answered.stdout).toMatch(/henry asks for role child-can-order on pizza-palace — approved by joe/);
    expect(answered.stdout + answered.stderr).not.toContain(joeToken);
  });

  it("names the acting user who has no token, and runs nothing for them", async () => {
    const result = await chat(["list restaurants"], ["-u", "rose", "--tokens", tokens]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "that turn failed: no bearer token for rose in --tokens (or ASKFIRST_HTTP_TOKENS): MCP server 127.0.0.1 would not know who acts",
    );
    expect(result.stdout).not.toContain("restaurants 1-4");
  });

  it("without tokens, says the server refused and how to give one", async () => {
    const result = await chat(["list restaurants"], ["-u", "henry"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/could not connect to MCP server 127\.0\.0\.1 for henry: .*unauthorized/);
    expect(result.stderr).toContain("no bearer token was sent for henry: give them one with --tokens");
  });

  it("with a token the server does not take, says so (exit 2); with no server there, says nothing answers", async () => {
    const wrong = await chat(["list restaurants"], ["-u", "henry"], {
      ASKFIRST_HTTP_TOKENS: "not-a-token-it-knows=henry",
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("the server refused henry's bearer token from --tokens");
    expect(wrong.stderr).not.toContain("not-a-token-it-knows");
    const port = await closedPort();
    const nobody = await runCli(
      ["chat", "-u", "henry", "--server", `http://127.0.0.1:${port}/mcp`, "-m", "local", "--store", "memory"],
      { cwd: dir, input: "list restaurants\n" },
    );
    expect(nobody.stderr).toContain(`nothing answers at 127.0.0.1:${port}: is the server running?`);
    expect(nobody.stderr).not.toContain("--tokens");
  });

  it("takes the tokens from ASKFIRST_HTTP_TOKENS when no --tokens file is given", async () => {
    const result = await chat(["list restaurants"], ["-u", "joe"], {
      ASKFIRST_HTTP_TOKENS: `${joeToken}=joe`,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("restaurants 1-4 of 4");
  });
});

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}
