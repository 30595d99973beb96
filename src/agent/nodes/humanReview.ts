import type { ToolMessage } from "@langchain/core/messages";
import { Command, interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { AskfirstError } from "../../errors.js";
import type { ArgsDigest } from "../../store/auditChain.js";
import type { AuditEntry, AuditLog, ExecutionJournal } from "../../store/types.js";
import type { Decision } from "../../review/decisions.js";
import { maskSecrets } from "../../review/mask.js";
import { classify, type Classification, type Policy } from "../../review/policy.js";
import type { LoadedTool, Toolbox } from "../../mcp/connect.js";
import { callsOf, errorResult, lastTurn, type IdentifiedCall } from "../messages.js";
import {
  answeringKey,
  buildReviewRequest,
  responseSchemaFor,
  type Answering,
  type ConfirmCall,
  type ResumeValue,
} from "../reviewRequest.js";
import { reconcileRefusals } from "./startedBefore.js";
import { grantKey, type AgentState, type CallOutcome, type ReviewedCall } from "../state.js";

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

interface Classified {
  call: IdentifiedCall;
  loaded: LoadedTool | undefined;
  server: string;
  classification: Classification;
  /** Set when an earlier `always` answer covers this confirm call. */
  grantedBy?: string;
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
  const grantedBy = state.grants[grantKey(state.actingUser, call.name)];
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

interface Settled {
  messages: ToolMessage[];
  reviewed: Record<string, ReviewedCall>;
  grants: Record<string, string>;
  outcomes: CallOutcome[];
  audit: Omit<AuditEntry, "threadId" | "actingUser">[];
}

/** What the answer to the interrupt was, shared by every call of the message. */
interface Answer {
  response: ResumeValue | null;
  decideMs: number | null;
  actingUser: string;
  time: string;
}

function settle(calls: Classified[], confirm: Classified[], answer: Answer, digest: ArgsDigest): Settled {
  const settled: Settled = { messages: [], reviewed: {}, grants: {}, outcomes: [], audit: [] };
  for (const item of calls) {
    const index = confirm.indexOf(item);
    const decision = index >= 0 ? answer.response?.decisions[index] : undefined;
    // The resume schema guarantees one decision per confirm call; a gap here is a bug, never an approval.
    if (index >= 0 && decision === undefined) throw new Error(`no decision for ${item.call.name}`);
    if (item.classification.tier === "deny" || decision?.type === "reject")
      refuse(settled, item, { decision, answer, digest });
    else accept(settled, item, decision, answer);
  }
  return settled;
}

function refuse(
  settled: Settled,
  item: Classified,
  { decision, answer, digest }: { decision: Decision | undefined; answer: Answer; digest: ArgsDigest },
): void {
  const { call, classification } = item;
  const denied = classification.tier === "deny";
  const timedOut = decision?.type === "reject" && decision.timedOut === true;
  // A timeout is nobody's decision: no person was asked in time, so none is named.
  const reviewer = denied || timedOut ? null : (answer.response?.reviewer ?? null);
  const auditDecision = denied ? "denied_by_policy" : timedOut ? "timed_out" : "rejected";
  const reason = refusal(item, decision, reviewer);
  const args = maskSecrets(call.args);
  settled.messages.push(errorResult(call, reason));
  settled.outcomes.push({
    toolCallId: call.id,
    tool: call.name,
    server: item.server,
    tier: classification.tier,
    rule: classification.rule,
    decision: auditDecision,
    reviewer,
    args,
    outcome: "not_run",
    detail: reason,
  });
  settled.audit.push({
    time: answer.time,
    toolCallId: call.id,
    interruptId: denied ? null : (answer.response?.interruptId ?? null),
    reviewer,
    tool: call.name,
    server: item.server,
    args,
    argsHash: digest(call.args),
    tier: classification.tier,
    rule: classification.rule,
    decision: auditDecision,
    decideMs: denied ? null : answer.decideMs,
    outcome: "not_run",
    error: null,
    executedArgsHash: null,
  });
}

function accept(settled: Settled, item: Classified, decision: Decision | undefined, answer: Answer): void {
  const reviewer = decision ? (answer.response?.reviewer ?? null) : (item.grantedBy ?? null);
  const interruptId = decision ? (answer.response?.interruptId ?? null) : null;
  settled.reviewed[item.call.id] = toReviewed(item, decision, reviewer, interruptId, answer.decideMs);
  if (decision?.type === "approve" && decision.grant === true && reviewer !== null)
    settled.grants[grantKey(answer.actingUser, item.call.name)] = reviewer;
}

function toReviewed(
  item: Classified,
  decision: Decision | undefined,
  reviewer: string | null,
  interruptId: string | null,
  decideMs: number | null,
): ReviewedCall {
  const { classification } = item;
  const common = { tier: classification.tier, server: item.server, reviewer, interruptId };
  if (decision?.type === "edit")
    return {
      ...common,
      args: decision.editedAction.args,
      decision: "edited",
      rule: classification.rule,
      decideMs,
    };
  if (decision?.type === "approve")
    return { ...common, args: item.call.args, decision: "approved", rule: classification.rule, decideMs };
  if (item.grantedBy !== undefined)
    return {
      ...common,
      args: item.call.args,
      decision: "approved",
      rule: `${classification.rule}; granted for this session by ${item.grantedBy} (always)`,
      decideMs: 0,
    };
  const decisionName = classification.tier === "notify" ? "notified" : "allowed";
  return {
    ...common,
    args: item.call.args,
    decision: decisionName,
    rule: classification.rule,
    decideMs: null,
  };
}

function refusal(item: Classified, decision: Decision | undefined, reviewer: string | null): string {
  const { classification } = item;
  if (classification.tier === "deny")
    return `Denied by policy ${classification.rule}: ${classification.message ?? "this call is not allowed"}. It did not run.`;
  if (decision?.type === "reject" && decision.timedOut)
    return `Timed out: nobody answered the review in time, so ${item.call.name} did not run.`;
  const reason = decision?.type === "reject" && decision.message ? decision.message : "no reason given";
  return `Rejected by the reviewer ${reviewer ?? ""}: ${reason}. ${item.call.name} did not run; do not retry it unchanged.`;
}
