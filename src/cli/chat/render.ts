import type { BaseMessage } from "@langchain/core/messages";
import { isCancelledNote } from "../../agent/cancelledRequest.js";
import type { CallOutcome } from "../../agent/state.js";
import type { TurnResult } from "../../agent/sessionTypes.js";
import type { TurnFailed } from "../../agent/turnFailed.js";
import { maskSecrets, maskText } from "../../review/mask.js";
import type { PendingReview } from "../../store/types.js";

/** Printing only: what the person reads of a turn. Gathering happens in the session. */

const decisionLabel: Record<CallOutcome["decision"], string> = {
  allowed: "allowed",
  notified: "ran (notify)",
  approved: "approved",
  edited: "edited and approved",
  rejected: "rejected",
  denied_by_policy: "denied by policy",
  timed_out: "timed out",
};

const refusals: ReadonlySet<CallOutcome["decision"]> = new Set(["rejected", "denied_by_policy", "timed_out"]);

export function formatCall(call: CallOutcome): string {
  // A refusal that came after the call had already run (before a crash) is flagged, never ticked.
  const ranDespiteRefusal = call.outcome === "ok" && refusals.has(call.decision);
  const mark = ranDespiteRefusal ? "!" : call.outcome === "ok" ? "✓" : call.outcome === "error" ? "!" : "✗";
  const who =
    call.reviewer && call.decision !== "allowed" && call.decision !== "notified"
      ? ` by ${call.reviewer}`
      : "";
  const args = JSON.stringify(call.args) ?? "{}";
  const head = `  ${mark} ${call.tool}(${args.length > 120 ? `${args.slice(0, 117)}...` : args}) — ${decisionLabel[call.decision]}${who} [${call.tier}: ${call.rule}]`;
  const detail = call.detail === null ? null : maskText(call.detail);
  if (call.outcome === "error") return `${head}\n      failed: ${detail ?? "unknown error"}`;
  if (call.outcome === "not_run") return `${head}\n      ${detail ?? "did not run"}`;
  if (ranDespiteRefusal) return `${head}\n      ${detail ?? "it had already run"}`;
  return head;
}

/**
 * The turn's calls in the order the model asked for them: refusals are settled before the approved calls
 * run, so they are reported first. Calls whose asking message the turn does not hold keep their place.
 */
function inAskedOrder(result: TurnResult): CallOutcome[] {
  const asked = new Map<string, number>();
  for (const message of result.messages) {
    const calls = (message.data as { tool_calls?: { id?: string }[] }).tool_calls ?? [];
    for (const call of calls) if (call.id !== undefined) asked.set(call.id, asked.size);
  }
  const place = (call: CallOutcome) => asked.get(call.toolCallId) ?? Number.MAX_SAFE_INTEGER;
  return [...result.calls].sort((a, b) => place(a) - place(b));
}

export function formatTurn(result: TurnResult, options: { verbose: boolean }): string {
  const lines: string[] = [];
  for (const call of inAskedOrder(result)) lines.push(formatCall(call));
  if (options.verbose) {
    for (const message of result.messages)
      if (message.type === "tool")
        lines.push(
          `  ← ${message.data.name ?? "tool"} result: ${maskText(contentText(message.data.content))}`,
        );
  }
  for (const reply of result.replies) lines.push(`agent: ${maskText(reply)}`);
  if (result.status === "pending" && result.review) lines.push(formatPending(result.review));
  if (result.elsewhere) {
    const { by, decisions, messages } = result.elsewhere;
    const decided = decisions.map(({ tool, decision }) => `${tool} ${decisionLabel[decision]}`);
    lines.push(
      `── answered elsewhere${by ? ` by ${by}` : ""}${decided.length ? `: ${decided.join(", ")}` : ""}; what the thread did there ──`,
    );
    if (messages.length > 0) lines.push(formatHistory(messages).trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

/** A turn that failed after some calls were decided or ran, as a result holding only those calls. */
export function callsOnly(failed: TurnFailed): TurnResult {
  return { status: "done", replies: [], messages: [], calls: failed.calls, review: null };
}

export function formatPending(review: PendingReview): string {
  const calls = review.request.actionRequests.map(
    (action) => `${action.name}(${JSON.stringify(maskSecrets(action.args))})`,
  );
  return `  … waiting for review (thread ${review.threadId}): ${calls.join(", ")}`;
}

/**
 * What a run stopped by Ctrl-C may have done, and the review it left waiting, if any. At the chat prompt
 * (`atPrompt`) the chat goes on: the agent hears of a call under way with the person's next message, and
 * the review is asked again before it. Otherwise the command ends, and `askfirst review` answers it.
 */
export function formatCancelled(
  toolUnderWay: boolean,
  stopped: { threadId: string; atPrompt: boolean; reviewWaiting: boolean },
): string {
  const { threadId, atPrompt, reviewWaiting } = stopped;
  const told = atPrompt ? "your next message" : "the thread's next message";
  const lines = [
    toolUnderWay
      ? `cancelled: the agent stopped while a tool call ran. It may still have taken effect on its server; the agent is told so with ${told} (askfirst audit lists each call).`
      : "cancelled: the agent stopped; no tool call was under way.",
  ];
  if (reviewWaiting)
    lines.push(
      atPrompt
        ? "The review it paused on is still waiting; it is asked again before your next message."
        : `The review it paused on is still waiting: askfirst review ${threadId}`,
    );
  return lines.map((line) => `${line}\n`).join("");
}

/**
 * The whole conversation of a thread, as `chat -t` shows it on start. Every line is masked: tool results
 * are masked when they arrive, but a thread may be older than that, and a person may have typed a secret
 * that the model then repeated.
 */
export function formatHistory(messages: BaseMessage[]): string {
  const lines = messages.map((message) => {
    const type = message.getType();
    const text = maskText(contentText(message.content));
    if (type === "human") return `you: ${text}`;
    if (isCancelledNote(message)) return "  (cancelled at the terminal before the agent answered)";
    if (type === "tool") return `  ← ${message.name ?? "tool"}: ${text}`;
    if (type === "system") return `  (${text})`;
    const calls = "tool_calls" in message && Array.isArray(message.tool_calls) ? message.tool_calls : [];
    const asked = calls.map(
      (call: { name: string; args: unknown }) =>
        `  → ${call.name}(${JSON.stringify(maskSecrets(call.args))})`,
    );
    return [text ? `agent: ${text}` : "", ...asked].filter(Boolean).join("\n");
  });
  return `${lines.filter(Boolean).join("\n")}\n`;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((block: unknown) =>
        typeof block === "object" && block !== null && "text" in block ? String(block.text) : "",
      )
      .join("");
  return JSON.stringify(content);
}

export const chatHelp = [
  "Type a request for the agent. Commands:",
  "  /as <user>   act as another user from now on (only you can do this; the agent cannot)",
  "  /help        this help",
  "  /quit        leave (the thread stays in the store; continue it with -t <thread>)",
  "Ctrl-C while the agent works stops that turn (twice quits); at the prompt, it leaves.",
].join("\n");
