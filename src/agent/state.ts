import type { BaseMessage } from "@langchain/core/messages";
import { Annotation, type Messages } from "@langchain/langgraph";
import type { AuditDecision } from "../store/types.js";
import type { Tier } from "../review/decisions.js";
import { windowReducer } from "./window.js";

/** How a call that may run was decided; human_review_node writes it, run_tool reads and clears it. */
export interface ReviewedCall {
  /** Exactly the arguments to run: the model's, or the reviewer's edit. */
  args: Record<string, unknown>;
  decision: Extract<AuditDecision, "allowed" | "notified" | "approved" | "edited">;
  tier: Tier;
  rule: string;
  server: string;
  reviewer: string | null;
  interruptId: string | null;
  decideMs: number | null;
}

/** What happened to one tool call, as the session reports it to the person. */
export interface CallOutcome {
  toolCallId: string;
  tool: string;
  server: string;
  tier: Tier;
  rule: string;
  decision: AuditDecision;
  reviewer: string | null;
  /** Arguments with secrets masked: what ran (for calls that ran) or what was asked. */
  args: Record<string, unknown>;
  outcome: "ok" | "error" | "not_run";
  /** The error, or the reason a call did not run. */
  detail: string | null;
}

export const defaultWindowSize = 40;

/** The graph state. `messages` is a bounded window; the acting user is set only by the person. */
export function createAgentState(windowSize: number = defaultWindowSize) {
  return Annotation.Root({
    messages: Annotation<BaseMessage[], Messages>({ reducer: windowReducer(windowSize), default: () => [] }),
    actingUser: Annotation<string>(),
    /** `always` answers, kept with the thread: key grantKey(…), value the reviewer who granted it. */
    grants: Annotation<Record<string, string>>({
      reducer: (left, right) => ({ ...left, ...right }),
      default: () => ({}),
    }),
    reviewed: Annotation<Record<string, ReviewedCall>>({ reducer: (_, right) => right, default: () => ({}) }),
    /** Epoch ms when the model last answered: when a review it needs was first asked for. */
    requestedAt: Annotation<number>({ reducer: (_, right) => right, default: () => 0 }),
    /** Each node's own report of the calls it settled; overwritten, read by the session from updates. */
    outcomes: Annotation<CallOutcome[]>({ reducer: (_, right) => right, default: () => [] }),
  });
}

export type AgentStateAnnotation = ReturnType<typeof createAgentState>;
export type AgentState = AgentStateAnnotation["State"];
export type AgentUpdate = AgentStateAnnotation["Update"];

/**
 * What an `always` answer allows: the tool, for the user it acted for, under the rule the card showed. A
 * call of that tool another rule asks about (a large payment, with its own warning) is still asked.
 */
export function grantKey(actingUser: string, tool: string, rule: string): string {
  return `${actingUser}\u0000${tool}\u0000${rule}`;
}
