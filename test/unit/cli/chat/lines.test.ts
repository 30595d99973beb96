import { describe, expect, it, vi } from "vitest";
import { terminalLines, type AskLine } from "../../../../src/cli/chat/lines.js";
import { terminalInput, type TerminalInput } from "../../../helpers/terminalInput.js";

/**
 * A prompt that reads the input as inquirer's readline does (resumed while it is open, paused after), gets
 * the next burst of keys at once (a paste), and answers with their first line.
 */
function pastedAt(input: TerminalInput, bursts: string[]): AskLine & { prefills: string[] } {
  const prefills: string[] = [];
  const ask = (_prompt: string, prefill: string) => {
    prefills.push(prefill);
    const keys = bursts.shift();
    if (keys === undefined) return Promise.reject(new Error("end of input"));
    input.resume();
    input.write(keys);
    const line = `${prefill}${keys}`.split(/\r/)[0] ?? "";
    return new Promise<string>((resolve) =>
      setTimeout(() => {
        input.pause();
        resolve(line);
      }, 5),
    );
  };
  return Object.assign(ask, { prefills });
}

describe("lines typed at a terminal", () => {
  it("keep every line of a paste, in order, showing each as it is used, and put a line without Enter back", async () => {
    // Empty lines do nothing at the prompt, and are skipped.
    const input = terminalInput();
    let shown = "";
    const ask = pastedAt(input, ["list dishes\rorder pizza\r\r  \rsay hi\rbye", "\r"]);
    const lines = terminalLines(input, (text) => (shown += text), ask);
    const read: (string | null)[] = [];
    for (let i = 0; i < 5; i += 1) read.push(await lines.next("henry>"));
    expect(read).toEqual(["list dishes", "order pizza", "say hi", "bye", null]);
    expect(shown).toBe("✔ henry> order pizza\n✔ henry> say hi\n");
    expect(ask.prefills).toEqual(["", "bye", ""]);
    expect(lines.interrupted).toBe(true);
  });

  it("keep lines typed while the agent worked, before the next prompt", async () => {
    const input = terminalInput();
    const ask = vi.fn<AskLine>(() => Promise.resolve("typed at the prompt"));
    const lines = terminalLines(input, () => undefined, ask);
    input.write("order pizza\rand fri");
    expect(await lines.next("henry>")).toBe("order pizza");
    expect(ask).not.toHaveBeenCalled();
    expect(await lines.next("henry>")).toBe("typed at the prompt");
    expect(ask).toHaveBeenCalledWith("henry>", "and fri");
  });

  it("end as interrupted at a Ctrl-C typed ahead, running nothing typed with it", async () => {
    const input = terminalInput();
    const ask = vi.fn<AskLine>(() => Promise.resolve("never"));
    const lines = terminalLines(input, () => undefined, ask);
    input.write("order pizza\r\u0003");
    expect(await lines.next("henry>")).toBeNull();
    expect(lines.interrupted).toBe(true);
    expect(ask).not.toHaveBeenCalled();
  });
});
