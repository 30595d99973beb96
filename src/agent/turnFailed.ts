import { AskfirstError, ExitCode } from "../errors.js";
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
  if (error instanceof AskfirstError && error.code === "cancelled") return error;
  return new TurnFailed(error, calls);
}
