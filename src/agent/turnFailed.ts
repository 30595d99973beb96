import { AskfirstError, ExitCode, ModelBehaviourError, TurnCancelled } from "../errors.js";
import type { CallOutcome } from "./state.js";

/**
 * A turn that failed after some of its tool calls were decided or ran (a tool ran, then the model failed):
 * the failure as it was (its message, code, exit code and stack) with those calls, so the person is shown
 * what happened before it failed. The audit trail records them all the same.
 */
export class TurnFailed extends AskfirstError {
  constructor(
    readonly failure: unknown,
    readonly calls: CallOutcome[],
  ) {
    const known = failure instanceof AskfirstError ? failure : null;
    super(failure instanceof Error ? failure.message : String(failure), {
      code: known?.code ?? "turn_failed",
      exitCode: known?.exitCode ?? ExitCode.unexpected,
      source: known?.source ?? "system",
      cause: failure,
    });
    this.name = "TurnFailed";
    if (failure instanceof Error && failure.stack) this.stack = failure.stack;
  }
}

/** `error` with `calls` made before it, when there are any: earlier calls first. */
export function withCallsBefore(error: unknown, calls: CallOutcome[]): unknown {
  if (calls.length === 0 || !(error instanceof Error)) return error;
  if (error instanceof TurnFailed) return new TurnFailed(error.failure, [...calls, ...error.calls]);
  // Cancelled turns report what may have happened their own way.
  if (error instanceof TurnCancelled) return error;
  return new TurnFailed(error, calls);
}

/** Rounds of tool calls one message may take before its turn stops: a model that never answers. */
export const maxToolRounds = 25;

/** LangGraph's step limit for a run of `maxToolRounds` rounds (call_llm, human_review_node, run_tool each). */
export const runStepLimit = maxToolRounds * 3 + 2;

/** LangGraph's "recursion limit" said as what happened; any other failure as it was. */
export function explainRunFailure(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== "GraphRecursionError") return error;
  return new ModelBehaviourError(
    `the agent made ${maxToolRounds} rounds of tool calls without answering, so the turn stopped there; what ran is shown above and in the audit, and the next message starts afresh`,
    "too_many_rounds",
    error,
  );
}
