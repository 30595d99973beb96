import type { ToolMessage } from "@langchain/core/messages";
import type { ArgsDigest } from "../../store/auditChain.js";
import type { AuditEntry } from "../../store/types.js";
import type { Decision } from "../../review/decisions.js";
import { maskSecrets } from "../../review/mask.js";
import type { Classification } from "../../review/policy.js";
import type { LoadedTool } from "../../mcp/connect.js";
import { errorResult, type IdentifiedCall } from "../messages.js";
import type { ResumeValue } from "../reviewRequest.js";
import { grantKey, type CallOutcome, type ReviewedCall } from "../state.js";

/**
 * How human_review_node settles each call of a message once the review (if any) is answered: refused
 * calls get their error result, outcome and audit entry; accepted ones are handed to run_tool as reviewed.
 */

/** One call of the message, as the policy classified it for the acting user. */
export interface Classified {
  call: IdentifiedCall;
  loaded: LoadedTool | undefined;
  server: string;
  classification: Classification;
  /** Set when an earlier `always` answer covers this confirm call. */
  grantedBy?: string;
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

export function settle(
  calls: Classified[],
  confirm: Classified[],
  answer: Answer,
  digest: ArgsDigest,
): Settled {
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
    settled.grants[grantKey(answer.actingUser, item.call.name, item.classification.rule)] = reviewer;
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
      rule: `${classification.rule}; granted for this thread by ${item.grantedBy} (always)`,
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
