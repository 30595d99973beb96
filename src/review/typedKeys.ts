import { stripVTControlCharacters } from "node:util";

// What the person typed on the terminal outside a prompt: keys typed on while the agent worked, or the rest
// of a paste of several lines. inquirer's prompt reads one line and drops what followed it in the same burst
// of keys, and its guard against stale keys misses keys typed while the agent worked (they reach its prompt
// after the prompt is drawn, and answer it). The chat keeps such lines as its next ones (cli/chat/lines.ts);
// a review card sets them aside, so that nothing typed before a card was shown answers it (terminal.ts).

/** Ctrl-C as a raw key: among keys typed ahead, it means stop. */
export const ctrlC = "\u0003";

/**
 * What was typed on the terminal before now, read and set aside; "" when `input` is not a terminal (piped
 * lines are read as lines). It is already in the terminal's buffer, so a short read gets it all; raw mode
 * makes a line typed without Enter readable too. The terminal is left as it was.
 */
export async function takeTypedAhead(input: NodeJS.ReadableStream, windowMs = 25): Promise<string> {
  const tty = input as NodeJS.ReadStream;
  if (!tty.isTTY || typeof tty.setRawMode !== "function") return "";
  const chunks: Buffer[] = [];
  const collect = (chunk: Buffer | string) => chunks.push(Buffer.from(chunk));
  const wasRaw = tty.isRaw;
  // A terminal that cannot be put in raw mode (closed under us) has nothing more to read.
  if (!setRaw(tty, true)) return "";
  tty.on("data", collect);
  tty.resume();
  try {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
  } finally {
    tty.off("data", collect);
    tty.pause();
    tty.setRawMode(wasRaw);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The keys a terminal turns into signals when not in raw mode (its default settings). */
const signalKeys = new Map<number, NodeJS.Signals>([
  [0x03, "SIGINT"],
  [0x1c, "SIGQUIT"],
  [0x1a, "SIGTSTP"],
]);

/**
 * Keeps what is typed from being echoed, until the returned function is called: while the agent works, the
 * terminal would echo keys into the spinner's line. Raw mode stops the echo; the keys read meanwhile are put
 * back in `input` on release, where takeTypedAhead finds them as it would in the terminal's buffer. Raw mode
 * also stops the terminal turning Ctrl-C, Ctrl-\ and Ctrl-Z into signals: `raise` sends each, and the keys
 * before it are dropped, as the terminal drops its buffer then. Does nothing if `input` is not a terminal.
 * Releasing twice releases once.
 */
export function holdTypedKeys(
  input: NodeJS.ReadableStream,
  raise: (signal: NodeJS.Signals) => void,
): () => void {
  const tty = input as NodeJS.ReadStream;
  if (!tty.isTTY || typeof tty.setRawMode !== "function") return () => undefined;
  let held: number[] = [];
  const hold = (chunk: Buffer | string) => {
    // These keys' bytes are never part of a longer UTF-8 character: the keys can be cut at them.
    for (const key of Buffer.from(chunk)) {
      const signal = signalKeys.get(key);
      if (signal === undefined) held.push(key);
      else {
        held = [];
        raise(signal);
        // Back from Ctrl-Z (fg), the terminal is in the mode the shell left it in; libuv would not set raw
        // mode again, as it believes it still is.
        if (signal === "SIGTSTP" && setRaw(tty, false)) setRaw(tty, true);
      }
    }
  };
  const wasRaw = tty.isRaw;
  if (!setRaw(tty, true)) return () => undefined;
  tty.on("data", hold);
  tty.resume();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    tty.off("data", hold);
    tty.pause();
    if (held.length > 0) tty.unshift(Buffer.from(held));
    setRaw(tty, wasRaw);
  };
}

/** False when the terminal was closed under us: it has no mode left to set. */
function setRaw(tty: NodeJS.ReadStream, raw: boolean): boolean {
  try {
    tty.setRawMode(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * Raw keys as the lines they type: escape sequences (arrows and the like) and other control keys dropped,
 * backspace applied. `partial` is what follows the last Enter.
 */
export function typedLines(keys: string): { lines: string[]; partial: string } {
  const lines = stripVTControlCharacters(keys)
    .split(/\r\n|\r|\n/)
    .map(edited);
  return { lines: lines.slice(0, -1), partial: lines.at(-1) ?? "" };
}

/** The keys typed after the first Enter among `keys` (the Enter that ended the prompt's line). */
export function afterFirstLine(keys: string): string {
  const end = keys.search(/[\r\n]/);
  if (end < 0) return "";
  return keys.slice(keys.startsWith("\r\n", end) ? end + 2 : end + 1);
}

/** Typed keys as one line for a notice: lines joined by ⏎, empty ones left out, cut short. */
export function shownAsTyped(keys: string): string {
  const { lines, partial } = typedLines(keys);
  const shown = [...lines, partial]
    .map((line) => line.trim())
    .filter(Boolean)
    .join(" ⏎ ");
  return shown.length > 60 ? `${shown.slice(0, 59)}…` : shown;
}

function edited(line: string): string {
  const kept: string[] = [];
  for (const key of line) {
    if (key === "\u007f" || key === "\b") kept.pop();
    else if (key >= " ") kept.push(key);
  }
  return kept.join("");
}
