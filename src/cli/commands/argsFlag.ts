import { UsageError } from "../../errors.js";

/** A flag's value that must be a tool call's arguments: a JSON object (`--edit`, `--match-args`). */
export function parseArgsFlag(flag: string, text: string, what = "the arguments"): Record<string, unknown> {
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} needs ${what} as a JSON object, e.g. ${flag} '{"amount": 5}'`);
  }
  if (typeof args !== "object" || args === null || Array.isArray(args))
    throw new UsageError(`${flag} needs ${what} as a JSON object, not a list or a value`);
  return args as Record<string, unknown>;
}
