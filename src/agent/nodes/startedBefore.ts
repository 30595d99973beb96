import type { BaseMessage, ToolMessage } from "@langchain/core/messages";
import type { AuditEntry, ExecutionJournal, ToolExecution } from "../../store/types.js";
import { callsOf, errorResult, lastTurn, okResult, type IdentifiedCall } from "../messages.js";
import type { CallOutcome } from "../state.js";

/**
 * Calls an earlier run started: runs are checkpointed at their end, so a run that died after starting a
 * tool is resumed from before it, and its review may be asked (and answered) again.
 */

/**
 * What the model and the person are told about a call started earlier that never reported back, before
 * `ended` (a crash, or the turn that stopped).
 */
export function mayHaveRun(tool: string, startedAt: number, ended = "a crash"): string {
  return (
    `${tool} may have run before ${ended}: it was started at ${new Date(startedAt).toISOString()} ` +
    "but never reported back, so it was not run again (a tool call runs at most once). " +
    "Check whether it took effect before asking for it again."
  );
}

/**
 * The result for a call left without one by a run that stopped (cancelled at the terminal, or failed)
 * after the model asked for it: new input must not leave the model a call with no result. The journal
 * decides what it is told: the result the call had, its error, that it may have run, or that it never ran.
 */
function stoppedCallResult(call: IdentifiedCall, started: ToolExecution | null): ToolMessage {
  if (!started)
    return errorResult(call, `${call.name} did not run: the turn that asked for it stopped first.`);
  if (started.outcome === "ok" && started.result !== null) return okResult(call, started.result);
  if (started.outcome === "error" && started.result !== null) return errorResult(call, started.result);
  return errorResult(call, mayHaveRun(call.name, started.startedAt, "the turn stopped"));
}

/**
 * A run that stopped after the model asked for tools (cancelled at the terminal, or failed) leaves calls
 * with no result in the window; a model shown them with new input refuses the request, or guesses. The
 * results to send first, one per such call of the window's last AI message.
 */
export async function closeStoppedCalls(
  journal: ExecutionJournal,
  threadId: string,
  window: BaseMessage[],
): Promise<ToolMessage[]> {
  const { ai, answered } = lastTurn(window);
  const open = callsOf(ai).filter((call) => !answered.has(call.id));
  return Promise.all(open.map(async (call) => stoppedCallResult(call, await journal.get(threadId, call.id))));
}

/** What the model and the person are told about a call cancelled at the terminal while it ran. */
export function cancelledWhileRunning(tool: string): string {
  return (
    `${tool} was cancelled at the terminal while it ran: its server may have carried it out. ` +
    "Check whether it took effect before asking for it again."
  );
}

/** What human_review_node settled, as far as refused calls go. */
export interface Refusals {
  messages: ToolMessage[];
  outcomes: CallOutcome[];
  audit: Omit<AuditEntry, "threadId" | "actingUser">[];
}

/**
 * A refusal (rejection, timeout or denial) that comes after its call was started cannot undo it. For such
 * calls the model, the person and the audit get what the journal knows instead of "it did not run":
 * the result it had, or that it may have run.
 */
export async function reconcileRefusals(
  journal: ExecutionJournal,
  threadId: string,
  refusals: Refusals,
): Promise<void> {
  for (const entry of refusals.audit) {
    if (entry.outcome !== "not_run") continue;
    const started = await journal.get(threadId, entry.toolCallId);
    if (!started) continue;
    const earlier = startedUnder(entry, started);
    if (earlier) refusals.audit.splice(refusals.audit.indexOf(entry), 0, earlier);
    const { ok, text } = describeLate(entry.tool, entry.decision, started);
    entry.outcome = ok ? "ok" : "error";
    entry.error = ok ? null : text;
    entry.executedArgsHash = started.argsHash;
    const call = { id: entry.toolCallId, name: entry.tool, args: {} };
    const index = refusals.messages.findIndex((message) => message.tool_call_id === entry.toolCallId);
    if (index >= 0) refusals.messages[index] = errorResult(call, text);
    const outcome = refusals.outcomes.find((item) => item.toolCallId === entry.toolCallId);
    if (outcome) Object.assign(outcome, { outcome: entry.outcome, detail: text });
  }
}

function describeLate(tool: string, decision: string, started: ToolExecution): { ok: boolean; text: string } {
  const late = `The ${decision === "timed_out" ? "timeout" : decision === "rejected" ? "rejection" : "denial"} came too late:`;
  if (started.outcome === "ok" && started.result !== null)
    return {
      ok: true,
      text: `${late} ${tool} had already run before a crash. Its result: ${started.result}`,
    };
  if (started.outcome === "error" && started.result !== null)
    return {
      ok: false,
      text: `${late} ${tool} had already been run before a crash, and failed: ${started.result}`,
    };
  return { ok: false, text: `${late} ${mayHaveRun(tool, started.startedAt)}` };
}

/**
 * The record of the decision a call was started under before a crash (who made it run, as the journal
 * kept it before the tool ran), to go before `entry`, the record of the answer given after the crash: or
 * null when that is the same decision, or the journal predates keeping decisions. Its outcome is what the
 * journal knows of the run.
 */
export function startedUnder<E extends Omit<AuditEntry, "threadId" | "actingUser">>(
  entry: E,
  started: ToolExecution,
): E | null {
  if (started.decision === null) return null;
  if (started.decision === entry.decision && started.reviewer === entry.reviewer) return null;
  const ran = started.outcome === "ok" && started.result !== null;
  return {
    ...entry,
    time: new Date(started.startedAt).toISOString(),
    decision: started.decision,
    reviewer: started.reviewer,
    decideMs: null,
    outcome: ran ? "ok" : "error",
    error: ran ? null : (started.result ?? mayHaveRun(entry.tool, started.startedAt)),
    executedArgsHash: started.argsHash,
  };
}
