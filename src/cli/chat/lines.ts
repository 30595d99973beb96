import type { CliContext } from "../context.js";

/** Where the person's lines come from: an inquirer prompt on a terminal, plain lines from a pipe. */
export interface LineSource {
  /** The next line, or null at end of input or Ctrl-C. */
  next(prompt: string): Promise<string | null>;
  /** True when the input ended with Ctrl-C (exit 130), not end of input. */
  readonly interrupted: boolean;
  close(): void;
}

export async function createLineSource(ctx: CliContext): Promise<LineSource> {
  if (ctx.stdin.isTTY) {
    const { input } = await import("@inquirer/prompts");
    let interrupted = false;
    return {
      async next(prompt) {
        try {
          return await input({ message: prompt }, { input: ctx.stdin, output: ctx.stdout });
        } catch {
          interrupted = true;
          return null;
        }
      },
      get interrupted() {
        return interrupted;
      },
      close: () => undefined,
    };
  }
  const { createInterface } = await import("node:readline");
  const reader = createInterface({ input: ctx.stdin, terminal: false });
  const iterator = reader[Symbol.asyncIterator]();
  return {
    async next() {
      const result = await iterator.next();
      return result.done ? null : result.value;
    },
    interrupted: false,
    close: () => reader.close(),
  };
}
