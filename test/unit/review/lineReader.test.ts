import { describe, expect, it, vi } from "vitest";
import { EndOfInput, TerminalLineReader, type PromptLine } from "../../../src/review/lineReader.js";
import { pastedAt, terminalInput } from "../../helpers/terminalInput.js";

describe("the terminal line reader", () => {
  it("uses the lines pasted after an answer as the next ones, empty ones too, and shows each", async () => {
    const input = terminalInput();
    let shown = "";
    const reader = new TerminalLineReader(
      input,
      (text) => (shown += text),
      pastedAt(input, ["no\r\rtoo dear\rmo"]),
    );
    const read = [await reader.next("Run?"), await reader.next("Reason:"), await reader.next("Again:")];
    expect(read).toEqual(["no", "", "too dear"]);
    expect(shown).toBe("✔ Reason: \n✔ Again: too dear\n");
    expect(reader.takeUnused()).toBe("mo");
    expect(reader.takeUnused()).toBe("");
  });

  it("types a line begun without Enter before keys that were already waiting when the prompt opened", async () => {
    const input = terminalInput();
    // Reads as readline does once resumed: keys already in the stream come first, on the next tick.
    const prompt: PromptLine = () =>
      new Promise((resolve) => {
        let read = "";
        const listen = (chunk: Buffer) => {
          read += chunk.toString("utf8");
          if (!read.includes("\r")) return;
          input.off("data", listen);
          input.pause();
          resolve(read.split("\r")[0] ?? "");
        };
        input.on("data", listen);
        input.resume();
      });
    const reader = new TerminalLineReader(input, () => undefined, prompt);
    reader.keep("and fri");
    input.write("es\r");
    expect(await reader.next("joe>")).toBe("and fries");
    expect(reader.takeUnused()).toBe("");
  });

  it("stops one question at a Ctrl-C among kept keys, and asks again after it", async () => {
    const input = terminalInput();
    const prompt = vi.fn<PromptLine>(() => Promise.resolve("yes"));
    const reader = new TerminalLineReader(input, () => undefined, prompt);
    reader.keep("no\r\u0003more\r");
    await expect(reader.next("Run?")).rejects.toThrow(/Ctrl-C/);
    expect(prompt).not.toHaveBeenCalled();
    expect(await reader.next("Run?")).toBe("yes");
  });

  it("ends a question at Ctrl-D on an empty line, which closes readline and leaves raw mode", async () => {
    const input = terminalInput();
    // A prompt as inquirer's is: in raw mode while open, waiting until answered or aborted.
    const prompt: PromptLine = (_question, signal) =>
      new Promise((_resolve, reject) => {
        input.setRawMode(true);
        input.resume();
        signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      });
    const reader = new TerminalLineReader(input, () => undefined, prompt);
    const asked = reader.next("Run?");
    await new Promise((resolve) => setImmediate(resolve));
    // Ctrl-D within a line deletes a key: the prompt stays in raw mode and open.
    input.write("\u0004");
    await new Promise((resolve) => setTimeout(resolve, 10));
    // On an empty line readline closes, leaving raw mode.
    input.setRawMode(false);
    input.write("\u0004");
    await expect(asked).rejects.toBeInstanceOf(EndOfInput);
  });

  it("ends the input at a Ctrl-D typed on an empty line among kept keys, once the lines before it are used", async () => {
    const prompt = vi.fn<PromptLine>(() => Promise.resolve("asked"));
    let shown = "";
    const reader = new TerminalLineReader(terminalInput(), (text) => (shown += text), prompt);
    // Ctrl-D within a line is no end (a terminal sends the line so far); on an empty line it is.
    reader.keep("li\u0004st\rmo\u007f\u007f\u0004never sent\r");
    expect(await reader.next("joe>")).toBe("list");
    await expect(reader.next("joe>")).rejects.toBeInstanceOf(EndOfInput);
    await expect(reader.next("joe>")).rejects.toBeInstanceOf(EndOfInput);
    expect(prompt).not.toHaveBeenCalled();
    expect(shown).toBe("✔ joe> list\n");
  });

  it("hands a Ctrl-D kept and not yet used to whoever takes what is unused, as typed", () => {
    const reader = new TerminalLineReader(
      terminalInput(),
      () => undefined,
      () => Promise.resolve(""),
    );
    reader.keep("yes\r\u0004");
    expect(reader.takeUnused()).toBe("yes\r\u0004");
    expect(reader.takeUnused()).toBe("");
  });

  it("hands a Ctrl-C kept and not yet used to whoever takes what is unused", () => {
    const reader = new TerminalLineReader(
      terminalInput(),
      () => undefined,
      () => Promise.resolve(""),
    );
    reader.keep("yes\r\u0003");
    expect(reader.takeUnused()).toBe("\u0003");
    expect(reader.takeUnused()).toBe("");
  });
});
