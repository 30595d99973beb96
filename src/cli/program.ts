import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import type { CliContext } from "./context.js";
import { registerServe } from "./commands/serve.js";
import { registerPending } from "./commands/pending.js";
import { registerAudit } from "./commands/audit.js";
import { registerChat } from "./commands/chat.js";
import { registerReview } from "./commands/review.js";
import { registerGraph } from "./commands/graph.js";
import { registerPolicy } from "./commands/policy.js";

/**
 * Builds the commander program. Each verb lives in commands/<verb>.ts and registers its flags here; its
 * action imports the heavy modules (graph, model clients, stores) lazily, so `--help` stays fast.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command("askfirst")
    .description("Agents ask first; a person decides. Human review for MCP tool calls on LangGraph.js.")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    // Not `--env-file`: Node 20 takes that flag for itself even after the script's name.
    .option(
      "--dotenv <path>",
      "read settings from this file (KEY=value lines, as .env); variables already set in the environment win",
    )
    .hook("preAction", async (root) => {
      const path = root.opts<{ dotenv?: string }>().dotenv;
      if (path === undefined) return;
      const { readEnvFile } = await import("../config/load.js");
      const variables = readEnvFile(resolve(ctx.cwd, path), ctx.env);
      ctx.env = { ...ctx.env, ...variables };
      ctx.exportEnv?.(variables);
    });
  for (const register of commandRegistrations) register(program, ctx);
  return program;
}

type Registration = (program: Command, ctx: CliContext) => void;

// One line per verb; each module only declares flags and lazy-imports its implementation.
const commandRegistrations: Registration[] = [
  registerServe,
  registerPending,
  registerAudit,
  registerChat,
  registerGraph,
  registerPolicy,
  registerReview,
];

/** Parses a whole positive number for a flag, with an error that names the flag's expectation. */
export function parsePositiveInt(value: string): number {
  const parsed = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError("expected a whole number above 0");
  return parsed;
}

/** The longest review timeout: a terminal's timer cannot wait longer (Node's timers stop at 2^31 - 1 ms). */
export const maxReviewTimeoutSeconds = 24 * 24 * 60 * 60;

/** Parses `--review-timeout`: whole seconds, from 1 to 24 days. */
export function parseReviewTimeout(value: string): number {
  const seconds = parsePositiveInt(value);
  if (seconds > maxReviewTimeoutSeconds)
    throw new InvalidArgumentError(`expected at most ${maxReviewTimeoutSeconds} seconds (24 days)`);
  return seconds;
}

/** Collects a repeatable flag into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
