import { Validator } from "@langchain/core/utils/json_schema";

/**
 * Checks arguments against a tool's JSON Schema (as MCP advertises it). Returns null when they fit, else one
 * line naming what is wrong, for a reviewer's edit before it is accepted.
 */
export function checkArgs(schema: Record<string, unknown> | undefined, args: unknown): string | null {
  if (typeof args !== "object" || args === null || Array.isArray(args))
    return "arguments must be a JSON object";
  if (schema === undefined) return null;
  const result = new Validator(schema, "7", false).validate(args);
  if (result.valid) return null;
  const problems = result.errors
    .filter((error) => error.keyword !== "properties" && error.keyword !== "$ref")
    .slice(0, 3)
    .map((error) => `${error.instanceLocation.replace(/^#\/?/, "") || "(arguments)"}: ${error.error}`);
  return problems.length > 0 ? problems.join("; ") : "arguments do not match the tool's schema";
}
