/**
 * What a command may touch of the outside world. main.ts passes the real process streams and env; a test
 * passes its own, so no command reads process.* directly.
 */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
}
