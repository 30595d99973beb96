import { Command, interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { AskfirstError } from "../../errors.js";
import type { AuditLog, ExecutionJournal } from "../../store/types.js";
import { maskSecrets } from "../../review/mask.js";
import { classify, type Policy } from "../../review/policy.js";
import type { LoadedTool, Toolbox } from "../../mcp/connect.js";
import { callsOf, lastTurn, type IdentifiedCall } from "../messages.js";
import {
  answeringKey,
  buildReviewRequest,
  responseSchemaFor,
  type Answering,
  type ConfirmCall,
  type ResumeValue,
} from "../reviewRequest.js";
import { settle, type Classified } from "./settleReview.js";
import { reconcileRefusals } from "./startedBefore.js";
import { grantKey, type AgentState } from "../state.js";

export interface HumanReviewDeps {
  toolbox: Toolbox;
  policy: Policy;
  audit: AuditLog;
  /** Read to tell a refusal that comes after its call was started (by a run that crashed) as such. */
  journal: ExecutionJournal;
  clock: () => number;
  /** How long a person has to answer; recorded as the review's deadline. Null for none. */
  reviewTimeoutMs: number | null;
}

/**
 * Reviews EVERY tool call of the last AI message. Calls that need a person go into ONE interrupt; nothing
 * with side effects happens before it returns (the node re-runs from the top on resume). Rejected and
 * denied calls get an error ToolMessage; the others are handed to run_tool with their exact arguments.
 */
export function createHumanReviewNode(deps: HumanReviewDeps) {
  return async (state: AgentState, config: LangGraphRunnableConfig) => {
    const { ai, answered } = lastTurn(state.messages);
    const tools = await deps.toolbox.toolsFor(state.actingUser);
    const calls = callsOf(ai)
      .filter((call) => !answered.has(call.id))
      .map((call) => classifyCall(deps.policy, call, tools, state));
    const confirm = calls.filter((item) => item.classification.tier === "confirm" && !item.grantedBy);
    const answering = checkAnswering(config, calls, confirm);
    if (answering) recordAskedRules(confirm, answering);
    let response: ResumeValue | null = null;
    if (confirm.length > 0) {
      const request = buildReviewRequest(
        confirm.map(toConfirmCall),
        state.actingUser,
        state.requestedAt,
        deps.reviewTimeoutMs,
      );
      response = interrupt<unknown, ResumeValue>(request, { responseSchema: responseSchemaFor(request) });
    }
    if (response) denyEditsPolicyDenies(deps.policy, confirm, response);
    const now = deps.clock();
    const answer = {
      response,
      decideMs: response ? Math.max(0, now - state.requestedAt) : null,
      actingUser: state.actingUser,
      time: new Date(now).toISOString(),
    };
    const settled = settle(calls, confirm, answer, deps.audit.digestArgs);
    const threadId = String(config.configurable?.thread_id ?? "");
    await reconcileRefusals(deps.journal, threadId, settled);
    for (const entry of settled.audit)
      await deps.audit.append({ ...entry, threadId, actingUser: state.actingUser });
    return new Command({
      goto: Object.keys(settled.reviewed).length > 0 ? "run_tool" : "call_llm",
      update: {
        messages: settled.messages,
        reviewed: settled.reviewed,
        grants: settled.grants,
        outcomes: settled.outcomes,
      },
    });
  };
}

/** The rule a call gets when no server here offers its tool. */
const unknownToolRule = "unknown tool";

/**
 * When this run answers a review of these calls, the node must ask about exactly the calls the review
 * asked about, in the same order, or the answer would be dropped (a call now allowed would run although
 * the reviewer rejected it) or matched to the wrong call. That happens when the answering process has
 * another policy or other tools than the one that asked; the run then stops before anything runs, and the
 * review stays pending for an answer given with the same policy. Returns the review this run answers, if
 * it answers one here.
 */
function checkAnswering(
  config: LangGraphRunnableConfig,
  calls: Classified[],
  confirm: Classified[],
): Answering | null {
  const answering = config.configurable?.[answeringKey] as Answering | undefined;
  if (!answering || !calls.some((item) => answering.toolCallIds.includes(item.call.id))) return null;
  const asked = confirm.map((item) => item.call.id);
  if (
    asked.length === answering.toolCallIds.length &&
    asked.every((id, i) => id === answering.toolCallIds[i])
  )
    return answering;
  const names = (ids: string[]) =>
    ids.map((id) => calls.find((item) => item.call.id === id)?.call.name ?? id).join(", ") || "nothing";
  // The likeliest cause: servers started otherwise than the chat's (e.g. without its --demo).
  const unknown = calls.filter(
    (item) => answering.toolCallIds.includes(item.call.id) && item.classification.rule === unknownToolRule,
  );
  const offered = unknown.length
    ? ` (the servers here do not offer ${unknown.map((item) => item.call.name).join(", ")})`
    : "";
  throw new AskfirstError(
    `the review asked about ${names(answering.toolCallIds)}, but the policy here asks about ${names(asked)}${offered}; ` +
      "nothing was run and the review is still pending: answer it with the policy and servers of the chat that asked (the same --demo, --server, --policy)",
    { code: "review_policy_mismatch", source: "user" },
  );
}

/**
 * `deny` never runs, whoever asks: an edit that makes a call the policy denies (a payment edited up past a
 * denied amount) is refused as that denial, naming what the reviewer asked for, instead of running.
 */
function denyEditsPolicyDenies(policy: Policy, confirm: Classified[], response: ResumeValue): void {
  for (const [index, item] of confirm.entries()) {
    const decision = response.decisions[index];
    if (decision?.type !== "edit") continue;
    const args = decision.editedAction.args;
    const edited = classify(policy, {
      name: item.call.name,
      args,
      server: item.server,
      annotations: item.loaded?.annotations,
    });
    if (edited.tier !== "deny") continue;
    const asked = `as edited by ${response.reviewer}: ${JSON.stringify(maskSecrets(args))}`;
    item.classification = {
      tier: "deny",
      rule: edited.rule,
      message: `${edited.message ?? "this call is not allowed"} (${asked})`,
    };
  }
}

/**
 * An answer from another process, whose policy may word the same rule otherwise: the calls are recorded
 * (audit, outcomes) under the rule the reviewer's card showed.
 */
function recordAskedRules(confirm: Classified[], answering: Answering): void {
  for (const [index, item] of confirm.entries()) {
    const rule = answering.rules[index];
    if (rule !== undefined) item.classification = { ...item.classification, rule };
  }
}

function classifyCall(
  policy: Policy,
  call: IdentifiedCall,
  tools: LoadedTool[],
  state: AgentState,
): Classified {
  const loaded = tools.find((item) => item.tool.name === call.name);
  if (!loaded) {
    const message = `there is no tool named ${call.name}; use one of: ${tools.map((item) => item.tool.name).join(", ")}`;
    return {
      call,
      loaded,
      server: "unknown",
      classification: { tier: "deny", rule: unknownToolRule, message },
    };
  }
  const classification = classify(policy, {
    name: call.name,
    args: call.args,
    server: loaded.server,
    annotations: loaded.annotations,
  });
  const grantedBy = state.grants[grantKey(state.actingUser, call.name, classification.rule)];
  const classified: Classified = { call, loaded, server: loaded.server, classification };
  if (classification.tier === "confirm" && grantedBy !== undefined) classified.grantedBy = grantedBy;
  return classified;
}

function toConfirmCall(item: Classified): ConfirmCall {
  return {
    call: item.call,
    server: item.server,
    classification: item.classification,
    inputSchema: item.loaded?.inputSchema ?? {},
    description: item.loaded?.tool.description ?? "",
  };
}
