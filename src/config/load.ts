import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { describeError, UsageError } from "../errors.js";
import type { z } from "zod";

/**
 * The one reader of environment variables. Commands receive `ctx.env` and call these; precedence is
 * flags > env > file > defaults, and each caller passes the flag value it already has.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** A non-empty env value, or undefined; blank values count as unset. */
export function readEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Picks the first defined value in precedence order. */
export function pick<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((value) => value !== undefined);
}

/**
 * Validates with zod and throws a UsageError naming at most five `path: message` problems on one line,
 * prefixed by where the value came from (a file name, "environment", a flag).
 */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
  const more = result.error.issues.length > 5 ? ` (+${result.error.issues.length - 5} more)` : "";
  throw new UsageError(`invalid ${source}: ${problems.join("; ")}${more}`, "invalid_config");
}

/** LangChain's own switches for LangSmith tracing; when one is on, its stock run context stays in use. */
export function langSmithTracingRequested(env: Env): boolean {
  return ["LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING", "LANGCHAIN_TRACING"].some(
    (name) => readEnv(env, name) === "true",
  );
}

/**
 * The variables of a `--dotenv` file (KEY=value lines, as in `.env`; Node's own parser). Only the names not
 * already set in `env` are returned: the environment wins over the file, as with dotenv.
 */
export function readEnvFile(path: string, env: Env): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --dotenv ${path}: ${describeError(error)}`, "env_file");
  }
  return Object.fromEntries(
    Object.entries(parseEnv(text)).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && env[entry[0]] === undefined,
    ),
  );
}
