import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { readEnv, type Env } from "../../config/load.js";
import { UsageError } from "../../errors.js";
import { packageRoot } from "../../packageRoot.js";
import { isServerUrl } from "../../mcp/servers.js";
import type { Reviewer } from "../../review/decisions.js";
import { checkUserKey } from "../../server/seed.js";
import { chooseStoreSpec, parseStoreSpec } from "../../store/open.js";
import type { CliContext } from "../context.js";
import { nobodyReviewer } from "../../review/reviewerNames.js";
import { checkReviewerName, checkThreadId } from "../identifiers.js";

export interface ChatOptions {
  user?: string;
  model?: string;
  query?: string[];
  thread?: string;
  policy?: string;
  answers?: string;
  reviewer?: string;
  server?: string[];
  tokens?: string;
  data?: string;
  demo?: string;
  store?: string;
  reviewTimeout: number;
  onReview: "ask" | "queue";
  verbose?: boolean;
}

const knownDemos = ["family-food"];

/**
 * Flags > ASKFIRST_USER > the demo's first child (so `npm start` tells the story) > the OS user. The one
 * chosen must be a user key: a bad one is refused here (exit 2), naming where it came from, rather than by
 * the server it would be bound into.
 */
export function chooseActingUser(options: ChatOptions, env: Env): string {
  if (options.user !== undefined) return checkUserKey(options.user, "-u");
  const fromEnv = readEnv(env, "ASKFIRST_USER");
  if (fromEnv !== undefined) return checkUserKey(fromEnv, "ASKFIRST_USER");
  if (options.demo) return "henry";
  return checkUserKey(osUser(), "the OS user name", "; choose the acting user with -u <user>");
}

export function chooseReviewerName(options: ChatOptions): string {
  return options.reviewer ?? osUser();
}

function osUser(): string {
  try {
    return userInfo().username || "reviewer";
  } catch {
    return "reviewer";
  }
}

/** The demo's own policy unless one is given; without either, the built-in default. */
export function choosePolicyPath(options: ChatOptions, cwd: string): string | undefined {
  if (options.policy) return resolve(cwd, options.policy);
  if (options.demo === "family-food") return join(packageRoot(), "examples", "family-food", "policy.json");
  return undefined;
}

/** Refuses flags that cannot work together or values no store should keep, before anything opens (exit 2). */
export function checkChatOptions(options: ChatOptions, env: Env, cwd: string): void {
  if (options.thread !== undefined) checkThreadId(options.thread, "-t");
  if (options.reviewer !== undefined) checkReviewerName(options.reviewer, "--reviewer");
  if (
    options.onReview === "queue" &&
    parseStoreSpec(chooseStoreSpec(options.store, env), cwd).kind === "memory"
  )
    throw new UsageError(
      "--on-review queue leaves reviews in the store for another process, but a memory store ends with this one: give --store sqlite:<path> or postgres://…",
    );
  if (options.demo !== undefined && !knownDemos.includes(options.demo))
    throw new UsageError(`unknown demo "${options.demo}"; expected ${knownDemos.join(" or ")}`);
  if (options.server?.length && (options.demo !== undefined || options.data !== undefined))
    throw new UsageError(
      "--demo and --data configure the built-in server; they cannot be combined with --server",
    );
  if (options.tokens !== undefined && !options.server?.some(isServerUrl))
    throw new UsageError(
      "--tokens gives bearer tokens for servers reached by URL: add --server <http(s) URL>",
    );
}

/**
 * Who answers reviews: the `--answers` file, else the person at a terminal, else nobody (every call that
 * needs review is rejected, and the run says so). All of them fail closed.
 */
export async function chooseReviewer(
  options: ChatOptions,
  ctx: CliContext,
  notice: (line: string) => void,
): Promise<Reviewer> {
  const name = chooseReviewerName(options);
  if (options.answers) {
    const { ScriptedReviewer } = await import("../../review/scripted.js");
    return ScriptedReviewer.fromFile(resolve(ctx.cwd, options.answers), name, notice);
  }
  if (ctx.stdin.isTTY) {
    const { TerminalReviewer, terminalQuestions } = await import("../../review/terminal.js");
    return new TerminalReviewer({
      name,
      ...(await terminalQuestions(ctx.stdin, ctx.stdout)),
      write: (text) => ctx.stdout.write(text),
      timeoutSeconds: options.reviewTimeout,
    });
  }
  const { NobodyReviewer } = await import("../../review/scripted.js");
  // Nobody answered: the audit must not name the OS user as if a person had decided.
  return new NobodyReviewer(nobodyReviewer, notice);
}
