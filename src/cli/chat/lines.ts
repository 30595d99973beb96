import { EndOfInput, TerminalLineReader, type PromptLine } from "../../review/lineReader.js";
import { takeTypedAhead } from "../../review/typedKeys.js";
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
    return terminalLines(
      ctx.stdin,
      (text) => ctx.stdout.write(text),
      (prompt, signal) =>
        input({ message: prompt }, { input: ctx.stdin, output: ctx.stdout, ...(signal ? { signal } : {}) }),
    );
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

/**
 * Lines typed at a terminal, every one of them in order (TerminalLineReader): those typed on while the agent
 * worked and those after the first of a paste of several are used as the next lines, and a line begun
 * without Enter is put back in the prompt; empty ones are skipped, as they do nothing. Ctrl-C among them
 * ends the input, as at the prompt; Ctrl-D on an empty line ends it too, as end of input.
 */
export function terminalLines(
  stdin: NodeJS.ReadableStream,
  write: (text: string) => void,
  ask: PromptLine,
): LineSource {
  const reader = new TerminalLineReader(stdin, write, ask, { skipEmpty: true });
  let interrupted = false;
  let ended = false;
  return {
    async next(prompt) {
      if (interrupted || ended) return null;
      reader.keep(await takeTypedAhead(stdin));
      try {
        return await reader.next(prompt);
      } catch (error) {
        // Ctrl-D ends the chat as end of input does (exit 0); Ctrl-C interrupts it (exit 130).
        if (error instanceof EndOfInput) ended = true;
        else interrupted = true;
        return null;
      }
    },
    get interrupted() {
      return interrupted;
    },
    close: () => undefined,
  };
}
