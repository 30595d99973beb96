/**
 * What a command may touch of the outside world. main.ts passes the real process streams and env; a test
 * passes its own, so no command reads process.* directly.
 */
export interface CliContext {
  /** Replaced, not changed, when `--dotenv` adds variables (see program.ts). */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Sets the variables of a `--dotenv` file where libraries read them too (main.ts: process.env, for names not
   * already set); a test leaves it out.
   */
  exportEnv?: (variables: Readonly<Record<string, string>>) => void;
  /**
   * Calls `listener` on Ctrl-C (SIGINT) until the returned function is called; a second Ctrl-C while
   * listening ends the process (exit 130). main.ts: the process's SIGINT; a test may leave it out.
   */
  onInterrupt?: (listener: () => void) => () => void;
  /**
   * Does what a terminal does at Ctrl-C, Ctrl-\ or Ctrl-Z: sends `signal` to the foreground process group
   * (the MCP servers the chat started included), for such a key read while stdin is in raw mode. main.ts;
   * without it, keys typed while the chat's agent works are left to the terminal, which echoes them.
   */
  raiseSignal?: (signal: NodeJS.Signals) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
}
