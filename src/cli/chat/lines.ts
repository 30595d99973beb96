import { afterFirstLine, ctrlC, takeTypedAhead, typedLines } from "../../review/typedKeys.js";
import type { CliContext } from "../context.js";

/** Where the person's lines come from: an inquirer prompt on a terminal, plain lines from a pipe. */
export interface LineSource {
  /** The next line, or null at end of input or Ctrl-C. */
  next(prompt: string): Promise<string | null>;
  /** True when the input ended with Ctrl-C (exit 130), not end of input. */
  readonly interrupted: boolean;
  close(): void;
}

/** Asks for one line, starting from `prefill` (editable); rejects on Ctrl-C or end of input. */
export type AskLine = (prompt: string, prefill: string) => Promise<string>;

export async function createLineSource(ctx: CliContext): Promise<LineSource> {
  if (ctx.stdin.isTTY) {
    const { input } = await import("@inquirer/prompts");
    return terminalLines(
      ctx.stdin,
      (text) => ctx.stdout.write(text),
      (prompt, prefill) =>
        input(
          { message: prompt, ...(prefill ? { default: prefill, prefill: "editable" as const } : {}) },
          { input: ctx.stdin, output: ctx.stdout },
        ),
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
 * Lines typed at a terminal, every one of them in order: those typed on while the agent worked and those
 * after the first of a paste of several are used as the next lines (each shown as it is used), and a line
 * begun without Enter is put back in the prompt; empty ones are skipped, as they do nothing. Ctrl-C among
 * them ends the input, as at the prompt.
 */
export function terminalLines(
  stdin: NodeJS.ReadableStream,
  write: (text: string) => void,
  ask: AskLine,
): LineSource {
  const queued: string[] = [];
  let partial = "";
  let interrupted = false;
  const keep = (keys: string) => {
    if (keys.includes(ctrlC)) interrupted = true;
    if (interrupted || keys === "") return;
    const typed = typedLines(partial + keys);
    queued.push(...typed.lines.filter((line) => line.trim() !== ""));
    partial = typed.partial;
  };
  return {
    async next(prompt) {
      keep(await takeTypedAhead(stdin));
      if (interrupted) return null;
      const line = queued.shift();
      if (line !== undefined) {
        write(`✔ ${prompt} ${line}\n`);
        return line;
      }
      // Keys that arrive while the prompt is open: what follows its line would be lost with it.
      const arrived: Buffer[] = [];
      const record = (chunk: Buffer | string) => arrived.push(Buffer.from(chunk));
      stdin.on("data", record);
      try {
        const answer = await ask(prompt, partial);
        partial = "";
        keep(afterFirstLine(Buffer.concat(arrived).toString("utf8")));
        return answer;
      } catch {
        interrupted = true;
        return null;
      } finally {
        stdin.off("data", record);
      }
    },
    get interrupted() {
      return interrupted;
    },
    close: () => undefined,
  };
}
