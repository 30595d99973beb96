import { readFile } from "node:fs/promises";
import { parseOrThrow } from "../config/load.js";
import { UsageError, describeError } from "../errors.js";
import { defaultPolicy, policySchema, type Policy } from "./policy.js";

/** Reads a `--policy` file; without one, the built-in policy (read-only tools allow, the rest confirm). */
export async function loadPolicy(path: string | undefined): Promise<Policy> {
  if (path === undefined) return defaultPolicy;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read policy file ${path}: ${describeError(error)}`, "policy_file");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`policy file ${path} is not JSON: ${describeError(error)}`, "policy_file");
  }
  return parseOrThrow(policySchema, json, `policy file ${path}`);
}
