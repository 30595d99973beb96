import { ExitCode } from "../errors.js";

/** What listening for Ctrl-C needs of the process: its SIGINT events, and a way to end it. */
export interface InterruptSource {
  on(event: "SIGINT", listener: () => void): unknown;
  off(event: "SIGINT", listener: () => void): unknown;
  exit(code: number): void;
}

/**
 * CliContext.onInterrupt over a process: `listener` hears the first Ctrl-C (SIGINT) until the returned
 * function is called; a second one ends the process at once (exit 130), as Ctrl-C did before anything
 * listened, for a cancel that is slow to take. The spinner's exit hook restores the cursor.
 */
export function interruptsOf(source: InterruptSource): (listener: () => void) => () => void {
  return (listener) => {
    let pressed = false;
    const onSigint = () => {
      if (pressed) return source.exit(ExitCode.interrupted);
      pressed = true;
      listener();
    };
    source.on("SIGINT", onSigint);
    return () => void source.off("SIGINT", onSigint);
  };
}
