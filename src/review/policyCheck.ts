import { impliesAll } from "./conditionImplies.js";
import type { Tier } from "./decisions.js";
import {
  describeRule,
  fitsTool,
  matchesName,
  type Policy,
  type PolicyCall,
  type PolicyCondition,
  type PolicyRule,
} from "./policy.js";

/**
 * The policy read against the tools the servers offer, before any call: which tier each tool gets, and
 * the rules that cannot do what they were written for. A rule whose tool name is misspelt, or whose
 * condition names an argument the tool does not take, never applies; the calls it was meant to stop fall
 * to a later rule or the default, which may be `allow`. Classification itself (policy.ts) is unchanged.
 */

/** What the policy can know of a tool without a call: its name, server, annotations and argument schema. */
export interface ToolFacts extends Omit<PolicyCall, "args"> {
  inputSchema: Record<string, unknown>;
}

/** One rule that may decide a tool's calls; `when` is set when it decides only some of them. */
export interface TierStep {
  tier: Tier;
  rule: string;
  when?: string;
}

/**
 * The rules that may decide the tool's calls, in order: each conditional rule that fits it, then the first
 * unconditional one (or the default). The last step is what a call gets when no condition before it holds.
 */
export function tiersOf(policy: Policy, tool: ToolFacts): TierStep[] {
  const steps: TierStep[] = [];
  const fitting: PolicyRule[] = [];
  for (const [index, rule] of policy.rules.entries()) {
    if (!fitsTool(rule, tool)) continue;
    // A rule whose every call one above it decides first never gives this tool its tier (policyWarnings).
    if (fitting.some((earlier) => impliesAll(rule.when ?? [], earlier.when ?? []))) continue;
    fitting.push(rule);
    const step: TierStep = { tier: rule.tier, rule: describeRule(rule, index) };
    if (rule.when === undefined || rule.when.length === 0) return [...steps, step];
    steps.push({ ...step, when: rule.when.map(describeCondition).join(" and ") });
  }
  return [...steps, { tier: policy.default, rule: "default" }];
}

/**
 * One line per rule part that matches nothing the servers offer, whose condition can never hold, or that
 * rules above it always decide first.
 */
export function policyWarnings(policy: Policy, tools: readonly ToolFacts[]): string[] {
  return policy.rules.flatMap((rule, index) => {
    const label = describeRule(rule, index);
    const warnings = ruleWarnings(rule, label, tools);
    return warnings.length > 0 ? warnings : shadowWarnings(policy.rules, index, label, tools);
  });
}

/**
 * False when no tool list can make policyWarnings say anything (the built-in policy: one rule, on
 * annotations alone), so a chat need not wait for its servers' tools before its first prompt.
 */
export function mayWarn(policy: Policy): boolean {
  return policy.rules.length > 1 || policy.rules.some((rule) => rule.tool ?? rule.server ?? rule.when);
}

/**
 * A rule every one of whose tools a rule above it decides first never applies: a rule above with no
 * condition (a `deny` of large payments below an `allow` of every payment), or one whose conditions every
 * call this rule meets also meets (an `allow` of amounts over 10 above a `deny` of amounts over 100). Either
 * way the large payments run.
 */
function shadowWarnings(
  rules: PolicyRule[],
  index: number,
  label: string,
  tools: readonly ToolFacts[],
): string[] {
  const rule = rules[index];
  const above = rules.slice(0, index);
  const deciders: string[] = [];
  for (const tool of rule ? tools.filter((item) => fitsTool(rule, item)) : []) {
    const first = above.findIndex(
      (earlier) => fitsTool(earlier, tool) && impliesAll(rule?.when ?? [], earlier.when ?? []),
    );
    const decider = above[first];
    if (!decider) return [];
    deciders.push(`${tool.name} by ${describeRule(decider, first)}`);
  }
  if (deciders.length === 0) return [];
  const shown = deciders.slice(0, 3).join("; ") + (deciders.length > 3 ? "; …" : "");
  return [
    `${label}: never applies, as rules above it decide all its tools' calls first (${shown}); move it up`,
  ];
}

function ruleWarnings(rule: PolicyRule, label: string, tools: readonly ToolFacts[]): string[] {
  const servers = [...new Set(tools.map((tool) => tool.server))];
  const missingServers = [rule.server ?? []]
    .flat()
    .filter((pattern) => !servers.some((server) => matchesName(server, pattern)));
  if (missingServers.length > 0)
    return missingServers.map(
      (pattern) => `${label}: server "${pattern}" matches no server (there are: ${listed(servers)})`,
    );
  const missingTools = [rule.tool ?? []]
    .flat()
    .filter((pattern) => !tools.some((tool) => matchesName(tool.name, pattern)));
  if (missingTools.length > 0)
    return missingTools.map((pattern) => {
      const near = nearestName(
        pattern,
        tools.map((tool) => tool.name),
      );
      return `${label}: tool "${pattern}" matches no tool the servers offer; check its spelling${near ? ` (${near}?)` : ""}`;
    });
  const fitting = tools.filter((tool) => fitsTool(rule, tool));
  // Annotation-only rules (the built-in policy's "read-only tools") may rightly fit nothing.
  if (fitting.length === 0)
    return rule.tool === undefined && rule.server === undefined
      ? []
      : [`${label}: applies to no tool the servers offer (none passes all its tests at once)`];
  const named = (rule.when ?? []).map((condition) => condition.arg.split(".")[0] ?? condition.arg);
  return [...new Set(named)]
    .filter((argument) => fitting.every((tool) => lacksArgument(tool, argument)))
    .map(
      (argument) =>
        `${label}: no tool it applies to takes an argument "${argument}", so its condition never holds ` +
        `(${fitting.slice(0, 3).map(argumentsOf).join("; ")}${fitting.length > 3 ? "; …" : ""})`,
    );
}

/** A schema that lists its properties and allows no others is taken at its word. */
function lacksArgument(tool: ToolFacts, argument: string): boolean {
  const { properties, additionalProperties } = tool.inputSchema;
  if (typeof properties !== "object" || properties === null) return false;
  if (
    additionalProperties === true ||
    (typeof additionalProperties === "object" && additionalProperties !== null)
  )
    return false;
  return !Object.hasOwn(properties, argument);
}

function argumentsOf(tool: ToolFacts): string {
  const names = Object.keys((tool.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
  return `${tool.name} takes ${names.length > 0 ? names.join(", ") : "no arguments"}`;
}

/**
 * The name a misspelt pattern most likely meant: the closest by edit distance, if within a third of its
 * length. Patterns with glob characters are not guessed at.
 */
function nearestName(pattern: string, names: string[]): string | undefined {
  if (/[*?[\]{}!]/.test(pattern)) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const name of new Set(names)) {
    const distance = editDistance(pattern.toLowerCase(), name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(pattern.length / 3)) && (!best || distance < best.distance))
      best = { name, distance };
  }
  return best?.name;
}

/** Edit distance: insertions, deletions, substitutions and swaps of two neighbours, one row at a time. */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, (before[j - 2] ?? 0) + 1);
      current.push(distance);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function listed(names: string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}

function describeCondition(condition: PolicyCondition): string {
  const value = (item: unknown) => JSON.stringify(item);
  if (condition.equals !== undefined) return `${condition.arg} is ${value(condition.equals)}`;
  if (condition.in !== undefined) return `${condition.arg} is one of ${condition.in.map(value).join(", ")}`;
  if (condition.gt !== undefined) return `${condition.arg} > ${condition.gt}`;
  if (condition.lt !== undefined) return `${condition.arg} < ${condition.lt}`;
  return `${condition.arg} matches /${condition.matches ?? ""}/i`;
}
