import { describe, expect, it, vi } from "vitest";
import { terminalLines } from "../../../../src/cli/chat/lines.js";
import type { PromptLine } from "../../../../src/review/lineReader.js";
import { pastedAt, terminalInput } from "../../../helpers/terminalInput.js";

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
    expect(ask.startedWith).toEqual(["", "bye"]);
    expect(lines.interrupted).toBe(true);
  });

  it("keep lines typed while the agent worked, before the next prompt", async () => {
    const input = terminalInput();
    const ask = pastedAt(input, ["es\r"]);
    const lines = terminalLines(input, () => undefined, ask);
    input.write("order pizza\rand fri");
    expect(await lines.next("henry>")).toBe("order pizza");
    expect(ask.startedWith).toEqual([]);
    expect(await lines.next("henry>")).toBe("and fries");
    expect(ask.startedWith).toEqual(["and fri"]);
  });

  it("end as interrupted at a Ctrl-C typed ahead, running nothing typed with it", async () => {
    const input = terminalInput();
    const ask = vi.fn<PromptLine>(() => Promise.resolve("never"));
    const lines = terminalLines(input, () => undefined, ask);
    input.write("order pizza\r\u0003");
    expect(await lines.next("henry>")).toBeNull();
    expect(lines.interrupted).toBe(true);
    expect(ask).not.toHaveBeenCalled();
  });
});
