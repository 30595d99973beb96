import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  afterFirstLine,
  holdTypedKeys,
  shownAsTyped,
  takeTypedAhead,
  typedLines,
} from "../../../src/review/typedKeys.js";
import { terminalInput } from "../../helpers/terminalInput.js";

describe("keys typed ahead on the terminal", () => {
  it("are read whole, line or not, and the terminal is left as it was: cooked, paused, unwatched", async () => {
    const input = terminalInput();
    input.write("yes\rno: wai");
    expect(await takeTypedAhead(input, 5)).toBe("yes\rno: wai");
    expect(input.isRaw).toBe(false);
    expect(input.isPaused()).toBe(true);
    expect(input.listenerCount("data")).toBe(0);
    expect(await takeTypedAhead(input, 5)).toBe("");
  });

  it("are none when the terminal cannot be put in raw mode, and nothing is left listening", async () => {
    const input = terminalInput();
    input.setRawMode = () => {
      throw new Error("EBADF");
    };
    input.write("yes\r");
    expect(await takeTypedAhead(input, 5)).toBe("");
    expect(input.listenerCount("data")).toBe(0);
  });

  it("are not taken from a pipe: piped lines are read as lines", async () => {
    const piped = new PassThrough();
    piped.write("yes\n");
    expect(await takeTypedAhead(piped, 5)).toBe("");
    expect(String(piped.read())).toBe("yes\n");
  });

  it("are held in raw mode while the agent works (not echoed), and put back where takeTypedAhead finds them", async () => {
    const input = terminalInput();
    const raised: string[] = [];
    const release = holdTypedKeys(input, (signal) => raised.push(signal));
    expect(input.isRaw).toBe(true);
    input.write("list dishes\rand fri");
    await new Promise((resolve) => setImmediate(resolve));
    release();
    release();
    expect(input.isRaw).toBe(false);
    expect(input.listenerCount("data")).toBe(0);
    expect(await takeTypedAhead(input, 5)).toBe("list dishes\rand fri");
    expect(raised).toEqual([]);
  });

  it("while held, send Ctrl-C and Ctrl-Z as the terminal would, dropping the keys before them", async () => {
    const input = terminalInput();
    const raised: string[] = [];
    const release = holdTypedKeys(input, (signal) => raised.push(signal));
    input.write("dropped\u0003also dropped\u001akept é");
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(raised).toEqual(["SIGINT", "SIGTSTP"]);
    expect(input.isRaw).toBe(false);
    expect(await takeTypedAhead(input, 5)).toBe("kept é");
  });

  it("become the lines they type: Enter of any kind ends one, backspace edits, arrows and control keys drop", () => {
    expect(typedLines("list dishes\rorder pizzz\u007fa\r\nsay \u001b[Dhi\u0001\nhal")).toEqual({
      lines: ["list dishes", "order pizza", "say hi"],
      partial: "hal",
    });
    expect(typedLines("")).toEqual({ lines: [], partial: "" });
  });

  it("after the prompt's own line are what followed its first Enter", () => {
    expect(afterFirstLine("first\rsecond\rthi")).toBe("second\rthi");
    expect(afterFirstLine("first\r\nsecond")).toBe("second");
    expect(afterFirstLine("no enter yet")).toBe("");
  });

  it("are shown on one line, cut short", () => {
    expect(shownAsTyped("yes\r\r  no\r")).toBe("yes ⏎ no");
    expect(shownAsTyped("\r\n")).toBe("");
    expect(shownAsTyped("y".repeat(80))).toBe(`${"y".repeat(59)}…`);
  });
});
