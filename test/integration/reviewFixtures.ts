import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { cleanEnv, cliPath, runCli, repoRoot, type CliResult } from "../helpers/cli.js";

/**
 * A folder with everything a review story needs: a real MCP server over stdio that records every call it
 * runs to calls.jsonl (the server side of the story), a policy that makes `send_money` and `log_in` wait
 * for a person, scripted model files and a SQLite store. `log_in` always fails, echoing its arguments
 * and a session token of its own in the error, as careless servers do.
 */
export interface ReviewWorld {
  folder: string;
  /** The store spec every command gets; a test may point it elsewhere (e.g. PostgreSQL). */
  store: string;
  serverLine: string;
  policy: string;
  /** Writes a scripted model file and returns its `-m` value. */
  model(name: string, turns: unknown[]): string;
  /** Writes an answers file and returns its path. */
  answers(name: string, lines: string[]): string;
  /** Every call that reached the server, in order. */
  serverCalls(): { tool: string; user: string; args: Record<string, unknown> }[];
  /**
   * From now on the server's tool, once it has recorded a call, waits before answering (up to 20 s) until
   * the returned function is called: a run can then be killed while its tool runs.
   */
  holdCalls(): () => void;
  /** The flags that point a `chat` or `review` at this world's store, server and policy. */
  connect(): string[];
  /** Runs the CLI with this world's store; `chat` and `review` also get its server and policy. */
  cli(args: string[], options?: { timeoutMs?: number }): Promise<CliResult>;
  cleanup(): void;
}

export function createReviewWorld(): ReviewWorld {
  const folder = mkdtempSync(join(tmpdir(), "askfirst-review-"));
  const log = join(folder, "calls.jsonl");
  const hold = join(folder, "hold");
  const serverPath = join(folder, "recorder.mjs");
  writeFileSync(serverPath, recorderServer(log, hold));
  const policy = join(folder, "policy.json");
  writeFileSync(
    policy,
    JSON.stringify({
      rules: [
        { tool: "send_money", tier: "confirm", message: "money leaves" },
        { tool: "log_in", tier: "confirm" },
      ],
      default: "allow",
    }),
  );
  const world: ReviewWorld = {
    folder,
    store: `sqlite:${join(folder, "store.db")}`,
    serverLine: `${process.execPath} ${serverPath}`,
    policy,
    model(name, turns) {
      const path = join(folder, `${name}.json`);
      writeFileSync(path, JSON.stringify(turns));
      return `scripted:${path}`;
    },
    answers(name, lines) {
      const path = join(folder, `${name}.txt`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      return path;
    },
    serverCalls() {
      if (!existsSync(log)) return [];
      return readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { tool: string; user: string; args: Record<string, unknown> });
    },
    holdCalls() {
      writeFileSync(hold, "");
      return () => rmSync(hold, { force: true });
    },
    connect: () => ["--store", world.store, "--server", world.serverLine, "--policy", policy],
    cli(args, options = {}) {
      const connect = args[0] === "chat" || args[0] === "review" ? world.connect() : ["--store", world.store];
      return runCli([...args, ...connect], {
        cwd: folder,
        timeoutMs: options.timeoutMs ?? 25_000,
      });
    },
    cleanup: () => rmSync(folder, { recursive: true, force: true }),
  };
  return world;
}

/**
 * vitest's `it`, with a review world of its own for each test that names it (`async ({ world }) => …`),
 * removed when the test ends, whether it passed or not.
 */
export const itInWorld = test.extend<{ world: ReviewWorld }>({
  // vitest reads which fixtures a function uses from its first parameter, which must be a pattern.
  // eslint-disable-next-line no-empty-pattern
  world: async ({}, use) => {
    const world = createReviewWorld();
    try {
      await use(world);
    } finally {
      world.cleanup();
    }
  },
});

function recorderServer(log: string, hold: string): string {
  const sdk = (path: string) =>
    pathToFileURL(resolve(repoRoot, "node_modules/@modelcontextprotocol/sdk/dist/esm", path)).href;
  const zod = pathToFileURL(resolve(repoRoot, "node_modules/zod/index.js")).href;
  return `
import { appendFileSync, existsSync } from "node:fs";
import { McpServer } from ${JSON.stringify(sdk("server/mcp.js"))};
import { StdioServerTransport } from ${JSON.stringify(sdk("server/stdio.js"))};
import { z } from ${JSON.stringify(zod)};
const user = process.env.ASKFIRST_USER ?? "nobody";
const server = new McpServer({ name: "recorder", version: "1.0.0" });
server.registerTool(
  "send_money",
  { description: "Send money to someone", inputSchema: { to: z.string(), amount: z.number().positive() },
    annotations: { readOnlyHint: false, destructiveHint: true } },
  async (args) => {
    appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: "send_money", user, args }) + "\\n");
    const until = Date.now() + 20000;
    while (existsSync(${JSON.stringify(hold)}) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    return { content: [{ type: "text", text: user + " sent " + args.amount + " to " + args.to }] };
  },
);
server.registerTool(
  "log_in",
  { description: "Log in to a service", inputSchema: { password: z.string(), note: z.string(), header: z.string(), dsn: z.string() } },
  async (args) => {
    appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: "log_in", user, args }) + "\\n");
    const text = "bad login with " + JSON.stringify(args) + "; session token=ERRONLYSECRET9";
    return { isError: true, content: [{ type: "text", text }] };
  },
);
await server.connect(new StdioServerTransport());
// A client killed with kill -9 never closes us: leave when our stdin ends, even mid-call.
process.stdin.on("end", () => process.exit(0));
`;
}

/**
 * Queues a review of one `send_money` call: `askfirst chat -q` with `--on-review queue`, which exits 3 and
 * prints the thread last. Resolves with that result and the thread it names.
 */
export async function queueSendMoney(
  world: ReviewWorld,
  options: { flags?: string[]; query?: string; args?: Record<string, unknown>; model?: string } = {},
): Promise<{ result: CliResult; threadId: string }> {
  const call = { name: "send_money", args: options.args ?? { to: "ann", amount: 5 } };
  const model = world.model(options.model ?? "ask", [{ tool_calls: [call] }]);
  const result = await world.cli(
    ["chat", "-q", options.query ?? "send ann 5", ...(options.flags ?? [])].concat([
      "--on-review",
      "queue",
      "-m",
      model,
    ]),
  );
  return { result, threadId: result.stdout.trim().split("\n").at(-1) ?? "" };
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Starts the CLI, with the world's store, server and policy, on a pseudo-terminal (util-linux `script`) so
 * the terminal reviewer really prompts. The terminal gets a size, as a real one has: with 0 columns, the
 * spinner's redraws never end. With `pidFile`, the shell writes its pid there, which exec hands to node.
 */
export function spawnOnTerminal(world: ReviewWorld, args: string[], pidFile?: string) {
  const command = [process.execPath, cliPath, ...args, ...world.connect()].map(quote).join(" ");
  const writePid = pidFile === undefined ? "" : `echo $$ > ${quote(pidFile)}; `;
  return spawn("script", ["-qfec", `stty cols 100 rows 40; ${writePid}exec ${command}`, "/dev/null"], {
    cwd: world.folder,
    env: cleanEnv({ TERM: "xterm" }),
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/**
 * Watches a CLI started with spawnOnTerminal: `seen` waits (up to 15 s) until its output matches, `type`
 * writes to its terminal, `exited` resolves with its exit code. `stop` kills it if it is still running.
 */
export function watchTerminal(child: ReturnType<typeof spawnOnTerminal>) {
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.resume();
  const exited = new Promise<number | null>((resolvePromise) => child.on("close", resolvePromise));
  return {
    output: () => output,
    seen: (pattern: RegExp) =>
      expect.poll(() => pattern.test(output), { timeout: 15_000, interval: 50 }).toBe(true),
    type: (text: string) => void child.stdin.write(text),
    exited,
    stop: () => void child.kill("SIGKILL"),
  };
}

/**
 * Runs the CLI on a pseudo-terminal (see spawnOnTerminal) and types each reply, then Enter unless `enter`
 * is false, once the output shows its cue; `typedFirst` is typed at once, as the command starts. Resolves
 * with the exit code and output.
 */
export function runOnTerminal(
  world: ReviewWorld,
  args: string[],
  replies: { after: RegExp; type: string; enter?: false }[],
  options: { typedFirst?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawnOnTerminal(world, args);
  if (options.typedFirst !== undefined) child.stdin.write(options.typedFirst);
  let output = "";
  const pending = [...replies];
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    const next = pending[0];
    if (next && next.after.test(output)) {
      pending.shift();
      child.stdin.write(next.enter === false ? next.type : `${next.type}\r`);
    }
  });
  child.stderr.resume();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 25_000);
  return new Promise((resolvePromise) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    }),
  );
}

/**
 * A chat as joe in `threadId`, on a terminal, showing the card for paying ann 5; its model's next turn
 * is `then`. What the terminal showed is printed if the test fails. The caller stops it.
 */
export async function chatAtCard(
  world: ReviewWorld,
  threadId: string,
  then: unknown,
  onTestFailed: (report: () => void) => void,
) {
  const model = world.model("chat", [
    { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 5 } }] },
    then,
  ]);
  const chat = watchTerminal(spawnOnTerminal(world, ["chat", "-u", "joe", "-t", threadId, "-m", model]));
  onTestFailed(() => console.error(`the chat's terminal showed:\n${chat.output()}`));
  try {
    await chat.seen(/joe>/);
    chat.type("send ann 5\r");
    await chat.seen(/Run send_money\?/);
  } catch (error) {
    chat.stop();
    throw error;
  }
  return chat;
}
