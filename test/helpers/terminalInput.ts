import { PassThrough } from "node:stream";
import type { PromptLine } from "../../src/review/lineReader.js";

export type TerminalInput = PassThrough & { isTTY: true; isRaw: boolean; setRawMode(mode: boolean): void };

/** A stand-in for a terminal's input stream: it records raw mode as a TTY stream does. */
export function terminalInput(): TerminalInput {
  return Object.assign(new PassThrough(), {
    isTTY: true as const,
    isRaw: false,
    setRawMode(this: { isRaw: boolean }, mode: boolean) {
      this.isRaw = mode;
    },
  });
}

/**
 * A prompt that reads the input as inquirer's readline does (resumed while it is open, paused after),
 * draws itself a tick after it opens, as inquirer does, then gets the next burst of keys at once (a paste)
 * and answers with the first line of what it read. `startedWith` lists what each prompt showed before its
 * burst: keys put back in it, which only show if they came after it was drawn.
 */
export function pastedAt(input: TerminalInput, bursts: string[]): PromptLine & { startedWith: string[] } {
  const startedWith: string[] = [];
  const ask = () => {
    const keys = bursts.shift();
    if (keys === undefined) return Promise.reject(new Error("end of input"));
    let read = "";
    let shown: string | null = null;
    const listen = (chunk: Buffer) => {
      read += chunk.toString("utf8");
      if (shown !== null) shown += chunk.toString("utf8");
    };
    input.on("data", listen);
    input.resume();
    return new Promise<string>((resolve) =>
      setImmediate(() => {
        shown = "";
        setImmediate(() => {
          startedWith.push(shown ?? "");
          input.write(keys);
          setTimeout(() => {
            input.pause();
            input.off("data", listen);
            resolve(read.split(/\r/)[0] ?? "");
          }, 5);
        });
      }),
    );
  };
  return Object.assign(ask, { startedWith });
}
