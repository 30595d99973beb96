import { PassThrough } from "node:stream";

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
