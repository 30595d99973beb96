import picomatch from "picomatch";
import { z } from "zod";
import { keptOrBuilt } from "../bounded.js";
import { tierSchema, type Tier } from "./decisions.js";

/**
 * The review policy: pure data and a pure function from a tool call to a tier and the rule that gave it.
 * Rules are matched in order; the first whose every condition holds wins; otherwise the default tier.
 */

const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);

/** One condition on an argument. `arg` is a dotted path into the call's arguments. */
const conditionSchema = z
  .object({
    arg: z.string().min(1),
    equals: scalarSchema.optional(),
    in: z.array(scalarSchema).min(1).optional(),
    gt: z.number().optional(),
    lt: z.number().optional(),
    matches: z.string().refine(isValidRegExp, "not a valid regular expression").optional(),
  })
  .strict()
  .refine(
    (c) => [c.equals, c.in, c.gt, c.lt, c.matches].filter((v) => v !== undefined).length === 1,
    "give exactly one of equals, in, gt, lt, matches",
  );

const ruleSchema = z
  .object({
    name: z.string().optional(),
    /** A tool-name glob or a list of them (picomatch syntax). */
    tool: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** A server-name glob: the name chat gives a server (see `askfirst policy`). */
    server: z.string().min(1, "give a server name glob, or leave server out").optional(),
    annotations: z
      .object({ readOnlyHint: z.boolean().optional(), destructiveHint: z.boolean().optional() })
      .strict()
      .optional(),
    when: z.array(conditionSchema).optional(),
    tier: tierSchema,
    message: z.string().optional(),
  })
  .strict();

export const policySchema = z
  .object({
    description: z.string().optional(),
    rules: z.array(ruleSchema).superRefine(refuseUnreachableRules),
    default: tierSchema.default("confirm"),
    defaultMessage: z.string().optional(),
  })
  .strict();

/**
 * A rule below one that matches every call can never apply. That is a mistake, and may be one that fails
 * open: an `allow` catch-all above a `deny` rule lets the denied calls run. Such a file is refused.
 */
function refuseUnreachableRules(rules: z.infer<typeof ruleSchema>[], ctx: z.RefinementCtx): void {
  const catchAll = rules.findIndex(matchesEveryCall);
  if (catchAll < 0 || catchAll === rules.length - 1) return;
  ctx.addIssue({
    code: "custom",
    path: [catchAll + 1],
    message: `rule ${catchAll + 2} can never apply: rule ${catchAll + 1} above it matches every call (put it last, or use "default")`,
  });
}

function matchesEveryCall(rule: z.infer<typeof ruleSchema>): boolean {
  const any = (pattern: string | string[] | undefined) =>
    pattern === undefined || [pattern].flat().some((item) => /^\*+$/.test(item));
  return rule.when === undefined && rule.annotations === undefined && any(rule.tool) && any(rule.server);
}

export type Policy = z.infer<typeof policySchema>;
export type PolicyRule = Policy["rules"][number];
export type PolicyCondition = NonNullable<PolicyRule["when"]>[number];

/** What the policy sees of a call. */
export interface PolicyCall {
  name: string;
  args: Record<string, unknown>;
  server: string;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean } | undefined;
}

export interface Classification {
  tier: Tier;
  /** e.g. "rule 3 (approve_*)" or "default": shown to the reviewer and written to the audit trail. */
  rule: string;
  message?: string;
}

/** Without a policy file: read-only tools run, everything else asks a person. */
export const defaultPolicy: Policy = {
  description: "built-in: read-only tools allow, everything else confirm",
  rules: [{ name: "read-only tools", annotations: { readOnlyHint: true }, tier: "allow" }],
  default: "confirm",
};

export function classify(policy: Policy, call: PolicyCall): Classification {
  for (const [index, rule] of policy.rules.entries()) {
    if (!matchesRule(rule, call)) continue;
    const classification: Classification = { tier: rule.tier, rule: describeRule(rule, index) };
    if (rule.message !== undefined) classification.message = rule.message;
    return classification;
  }
  const fallback: Classification = { tier: policy.default, rule: "default" };
  if (policy.defaultMessage !== undefined) fallback.message = policy.defaultMessage;
  return fallback;
}

/** How a rule is named to a reviewer, in the audit trail and in `askfirst policy`. */
export function describeRule(rule: PolicyRule, index: number): string {
  const label = rule.name ?? [rule.tool ?? "any tool"].flat().join(", ");
  return `rule ${index + 1} (${label})`;
}

function matchesRule(rule: PolicyRule, call: PolicyCall): boolean {
  if (!fitsTool(rule, call)) return false;
  // A value a condition cannot read (a number written as "1,000" or "５００") must never make a call less
  // guarded: it counts as holding for a rule that asks or denies, and as not holding for one that lets through.
  const unreadable = rule.tier === "confirm" || rule.tier === "deny";
  return (rule.when ?? []).every((condition) => {
    const verdict = holds(condition, call.args);
    return verdict === "unreadable" ? unreadable : verdict;
  });
}

/** Whether the rule's tool, server and annotation tests pass: all but its argument conditions. */
export function fitsTool(rule: PolicyRule, call: Omit<PolicyCall, "args">): boolean {
  if (rule.tool !== undefined && !matchesName(call.name, rule.tool)) return false;
  if (rule.server !== undefined && !matchesName(call.server, rule.server)) return false;
  if (rule.annotations !== undefined) {
    const { readOnlyHint, destructiveHint } = rule.annotations;
    // MCP's defaults: a tool that says nothing is not read-only and may be destructive; destructiveHint
    // means something only for a tool that is not read-only (one that is read-only changes nothing).
    const readOnly = call.annotations?.readOnlyHint ?? false;
    const destructive = readOnly ? false : (call.annotations?.destructiveHint ?? true);
    if (readOnlyHint !== undefined && readOnly !== readOnlyHint) return false;
    if (destructiveHint !== undefined && destructive !== destructiveHint) return false;
  }
  return true;
}

/**
 * Tool and server names are names, not paths: picomatch's `*` and `?` would stop at a `/` and skip a
 * leading `.`, so `{"tool": "*", "tier": "confirm"}` would not ask about a tool named `admin/delete` and
 * the call would fall through to a later rule or an `allow` default. Every `/`, in the name and in the
 * pattern alike, is matched as an ordinary character (a stand-in no name contains), and dots are too.
 */
export function matchesName(name: string, patterns: string | string[]): boolean {
  return nameMatcher(patterns)(name.replaceAll("/", slashStandIn));
}

/**
 * Each rule's patterns are compiled once, not at every call (compiling cost ~10 µs a call, and every tool
 * call is classified, twice when it is reviewed). Keyed by the patterns' text; a policy has few.
 */
function nameMatcher(patterns: string | string[]): (name: string) => boolean {
  const list = [patterns].flat().map((pattern) => pattern.replaceAll("/", slashStandIn));
  return keptOrBuilt(nameMatchers, JSON.stringify(list), () => picomatch(list, { dot: true }), keptMatchers);
}

/** A regular expression of a `matches` condition, compiled once per text (as nameMatcher). */
function conditionPattern(source: string): RegExp {
  return keptOrBuilt(conditionPatterns, source, () => new RegExp(source, "i"), keptMatchers);
}

const nameMatchers = new Map<string, (name: string) => boolean>();
const conditionPatterns = new Map<string, RegExp>();
const keptMatchers = 500;

/** A private-use character: stands for `/` while matching. */
const slashStandIn = "\uE000";

/**
 * String comparisons ignore case and surrounding or repeated spaces: a model writing "truffle pizza" for
 * "Truffle Pizza" must not slip past a rule (the policy fails closed on spelling, not open). Scalars compare
 * the same whichever way they are typed: `"7"` in a rule matches `7` in a call and the other way round, as
 * `true` matches `"true"`. A missing argument holds no condition; one a numeric condition cannot read as a
 * number is "unreadable" (see matchesRule).
 */
function holds(condition: PolicyCondition, args: Record<string, unknown>): boolean | "unreadable" {
  const value = readPath(args, condition.arg);
  if (value === undefined || value === null) return false;
  if (condition.equals !== undefined) return sameScalar(value, condition.equals);
  if (condition.in !== undefined) return condition.in.some((item) => sameScalar(value, item));
  const bound = condition.gt ?? condition.lt;
  if (bound !== undefined) {
    const number = toNumber(value);
    if (Number.isNaN(number)) return "unreadable";
    return condition.gt !== undefined ? number > bound : number < bound;
  }
  if (condition.matches !== undefined) {
    const text = scalarText(value);
    return text !== null && conditionPattern(condition.matches).test(text);
  }
  return false;
}

function readPath(args: Record<string, unknown>, path: string): unknown {
  let current: unknown = args;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function normalise(value: string): string {
  return value.trim().replace(/\s+/g, " ").toLowerCase();
}

/** A string, number or boolean as text; null for anything else (objects and lists match no scalar). */
function scalarText(value: unknown): string | null {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : null;
}

export function sameScalar(value: unknown, expected: string | number | boolean): boolean {
  const text = scalarText(value);
  if (text === null) return false;
  const number = toNumber(value);
  const expectedNumber = toNumber(expected);
  if (!Number.isNaN(number) && !Number.isNaN(expectedNumber)) return number === expectedNumber;
  return normalise(text) === normalise(String(expected));
}

// Strings are read as numbers as JSON writes them (`" 12.5 "` is 12.5; `"1,000"` and `"0x10"` are not).
function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\s*-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value))
    return Number(value);
  return Number.NaN;
}

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source, "i");
    return true;
  } catch {
    return false;
  }
}
