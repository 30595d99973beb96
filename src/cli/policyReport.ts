import { isAbsolute, relative } from "node:path";
import { UsageError } from "../errors.js";
import type { LoadedTool, Toolbox } from "../mcp/connect.js";
import type { Policy } from "../review/policy.js";
import { mayWarn, policyWarnings, tiersOf, type ToolFacts } from "../review/policyCheck.js";
import { checkBuiltInData, openToolbox } from "./agentRuntime.js";
import { checkChatOptions, chooseActingUser, choosePolicyPath, type ChatOptions } from "./chat/setup.js";
import type { CliContext } from "./context.js";

/**
 * `askfirst policy`: the policy read against the tools the servers offer the user, tool by tool, and
 * the rules that can never apply (then it exits 2, so a script can check a policy before it is used).
 * Nothing is called; the servers are started only to list their tools.
 */
export async function showPolicy(options: ChatOptions, ctx: CliContext): Promise<void> {
  checkChatOptions(options, ctx.env, ctx.cwd);
  const user = chooseActingUser(options, ctx.env);
  const { loadPolicy } = await import("../review/policyFile.js");
  const path = choosePolicyPath(options, ctx.cwd);
  const policy = await loadPolicy(path);
  await checkBuiltInData(options, ctx.cwd);
  const toolbox = await openToolbox(options, ctx);
  let tools: LoadedTool[];
  try {
    tools = await toolbox.toolsFor(user);
  } finally {
    await toolbox.close();
  }
  const facts = tools.map(toolFacts);
  const warnings = policyWarnings(policy, facts);
  ctx.stdout.write(formatPolicyReport(policy, path && shownPath(path, ctx.cwd), user, facts, warnings));
  const problems = warnings.length;
  if (problems > 0)
    throw new UsageError(
      `the policy has ${problems === 1 ? "a rule part" : `${problems} rule parts`} that can never apply (see warnings)`,
      "policy_rules",
    );
}

/**
 * Run at the start of a chat: the warnings only, on stderr, once the servers have listed the user's tools.
 * A server that fails to start is not reported here; the first turn that needs it says why.
 */
export async function warnAboutPolicy(
  policy: Policy,
  toolbox: Toolbox,
  user: string,
  ctx: Pick<CliContext, "stderr">,
): Promise<void> {
  if (!mayWarn(policy)) return;
  let tools: LoadedTool[];
  try {
    tools = await toolbox.toolsFor(user);
  } catch {
    return;
  }
  for (const warning of policyWarnings(policy, tools.map(toolFacts)))
    ctx.stderr.write(`askfirst: policy ${warning}\n`);
}

export function formatPolicyReport(
  policy: Policy,
  path: string | undefined,
  user: string,
  tools: readonly ToolFacts[],
  warnings: readonly string[],
): string {
  const lines = [
    `policy: ${path ?? "built-in"}${policy.description ? ` (${policy.description})` : ""}`,
    `default tier: ${policy.default}`,
  ];
  const width = Math.max(0, ...tools.map((tool) => tool.name.length));
  for (const server of new Set(tools.map((tool) => tool.server))) {
    const own = tools.filter((tool) => tool.server === server);
    lines.push("", `${server}: ${own.length} ${own.length === 1 ? "tool" : "tools"} for ${user}`);
    for (const tool of own)
      for (const [index, step] of tiersOf(policy, tool).entries()) {
        const why = step.when ? `if ${step.when}` : index > 0 ? "otherwise" : "";
        const name = index === 0 ? tool.name : "";
        lines.push(
          `  ${name.padEnd(width)}  ${step.tier.padEnd(7)}  ${why ? `${step.rule}, ${why}` : step.rule}`,
        );
      }
  }
  if (tools.length === 0) lines.push("", `the servers offer ${user} no tools`);
  if (warnings.length > 0) lines.push("", "warnings:", ...warnings.map((warning) => `  ${warning}`));
  return `${lines.join("\n")}\n`;
}

function toolFacts({ tool, server, annotations, inputSchema }: LoadedTool): ToolFacts {
  return { name: tool.name, server, annotations, inputSchema };
}

function shownPath(path: string, cwd: string): string {
  const near = relative(cwd, path);
  return near.startsWith("..") || isAbsolute(near) ? path : near;
}
