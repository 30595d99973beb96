import { afterFirstLine, ctrlC, typedLines } from "./typedKeys.js";

/**
 * Ctrl-D on an empty line: readline closes the prompt's input (and leaves raw mode), and inquirer's prompt
 * would then wait forever. The reader ends the question with this instead: end of input.
 */
export class EndOfInput extends Error {
  constructor() {
    super("end of input (Ctrl-D)");
    this.name = "EndOfInput";
  }
}

const ctrlD = "\u0004";

/**
 * A signal that aborts when any of `signals` does, with its reason. Linked by listeners rather than by
 * AbortSignal.any(): each source then holds the new controller strongly, so the signal a prompt waits on
 * can never be collected before it aborts.
 */
export function eitherOf(...signals: AbortSignal[]): AbortSignal {
  const either = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) either.abort(signal.reason);
    else signal.addEventListener("abort", () => either.abort(signal.reason), { once: true });
  }
  return either.signal;
}

/** Asks for one line at a terminal prompt; rejects on Ctrl-C, end of input or abort (`signal`). */
export type PromptLine = (question: string, signal?: AbortSignal) => Promise<string>;

export interface LineReaderOptions {
  /** Lines with nothing on them are dropped, not used (at the chat prompt they do nothing). */
  skipEmpty?: boolean;
}

/**
 * Every line typed at a terminal, in order. inquirer's prompt reads one line and drops what followed it in
 * the same burst of keys (the rest of a paste of several lines). The reader keeps those keys, and any its
 * owner hands it (`keep`: keys typed while no prompt was open), as the next lines: each is shown as it is
 * used. A line begun without Enter is put back in the next prompt as typed keys, so that clearing it
 * clears it. Ctrl-C among kept keys stops the next question, as it would at a prompt; Ctrl-D on an empty
 * line among them ends the input once the lines before it are used, as it would at a terminal.
 */
export class TerminalLineReader {
  private readonly queued: string[] = [];
  private partial = "";
  private ctrlCTyped = false;
  private endTyped = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream,
    private readonly write: (text: string) => void,
    private readonly prompt: PromptLine,
    private readonly options: LineReaderOptions = {},
  ) {}

  /** Keeps raw keys as the next lines; what follows their last Enter starts the next prompt. */
  keep(keys: string): void {
    if (keys.includes(ctrlC)) this.ctrlCTyped = true;
    if (this.ctrlCTyped || this.endTyped || keys === "") return;
    const end = endOfInputAt(this.partial + keys);
    if (end >= 0) this.endTyped = true;
    const typed = typedLines((this.partial + keys).slice(0, end >= 0 ? end : undefined));
    const lines = this.options.skipEmpty ? typed.lines.filter((line) => line.trim() !== "") : typed.lines;
    this.queued.push(...lines);
    this.partial = typed.partial;
  }

  /**
   * The next line: one kept (shown with the question, as a prompt shows its answer) or one asked for.
   * Rejects on Ctrl-C (typed, or kept: that one is used up by this rejection), end of input or abort.
   */
  async next(question: string, signal?: AbortSignal): Promise<string> {
    if (this.ctrlCTyped) {
      this.ctrlCTyped = false;
      throw new Error("Ctrl-C was typed");
    }
    signal?.throwIfAborted();
    const line = this.queued.shift();
    if (line !== undefined) {
      this.write(`✔ ${question} ${line}\n`);
      return line;
    }
    if (this.endTyped) throw new EndOfInput();
    // Keys that arrive while the prompt is open: what follows its line would be lost with it. The stream
    // stays paused until the prompt reads it, so that the prompt gets every key the reader sees.
    const arrived: Buffer[] = [];
    const ended = new AbortController();
    const record = (chunk: Buffer | string) => {
      arrived.push(Buffer.from(chunk));
      // Ctrl-D closed the prompt's readline when it left raw mode; Ctrl-D within a line deletes a key.
      if (String(chunk).includes(ctrlD))
        setImmediate(() => {
          if ((this.stdin as { isRaw?: boolean }).isRaw === false) ended.abort(new EndOfInput());
        });
    };
    this.stdin.pause();
    // Keys already waiting in the stream come after the line begun; the prompt would read them a tick
    // before that line is typed into it, so they are taken out here and typed in after it.
    const waiting = this.partial === "" ? Buffer.alloc(0) : readBuffered(this.stdin);
    this.stdin.on("data", record);
    const asked = this.prompt(question, signal ? eitherOf(signal, ended.signal) : ended.signal);
    const stopTyping = this.typePartialInto(waiting);
    try {
      const answer = await asked;
      this.keep(afterFirstLine(Buffer.concat(arrived).toString("utf8")));
      return answer;
    } catch (error) {
      throw ended.signal.aborted ? new EndOfInput() : error;
    } finally {
      stopTyping();
      this.stdin.off("data", record);
    }
  }

  /**
   * Types the line begun without Enter into the prompt just opened (called right after opening it).
   * inquirer draws its prompt one tick after opening it, and keys that reach it sooner are in its line but
   * not drawn until the next key: so they come after that tick, followed by `waiting` (see next). A prompt
   * that ended sooner leaves the line for the next one, and `waiting` in the stream.
   */
  private typePartialInto(waiting: Buffer): () => void {
    const partial = this.partial;
    this.partial = "";
    if (partial === "") return () => undefined;
    let typed = false;
    const typing = setImmediate(() => {
      typed = true;
      this.stdin.unshift(Buffer.concat([Buffer.from(partial), waiting]));
    });
    return () => {
      if (typed) return;
      clearImmediate(typing);
      this.partial = partial;
      if (waiting.length > 0) this.stdin.unshift(waiting);
    };
  }

  /** Takes every kept key not yet used, as typed (lines ended by Enter): none of it is used after this. */
  takeUnused(): string {
    const keys = [
      ...this.queued.map((line) => `${line}\r`),
      this.partial,
      this.endTyped ? ctrlD : "",
      this.ctrlCTyped ? ctrlC : "",
    ];
    this.queued.length = 0;
    this.partial = "";
    this.ctrlCTyped = false;
    this.endTyped = false;
    return keys.join("");
  }
}

/** What a paused stream holds already, taken out of it. */
function readBuffered(stream: NodeJS.ReadableStream): Buffer {
  const chunks: Buffer[] = [];
  for (let chunk = stream.read(); chunk !== null; chunk = stream.read()) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Where a Ctrl-D on an empty line is among typed keys (a terminal's end of input), or -1. */
function endOfInputAt(keys: string): number {
  for (let at = keys.indexOf(ctrlD); at >= 0; at = keys.indexOf(ctrlD, at + 1))
    if (typedLines(keys.slice(0, at)).partial === "") return at;
  return -1;
}
