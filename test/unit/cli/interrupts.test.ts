import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { interruptsOf } from "../../../src/cli/interrupts.js";

function fakeProcess() {
  const events = new EventEmitter();
  const exits: number[] = [];
  const source = {
    on: (event: "SIGINT", listener: () => void) => events.on(event, listener),
    off: (event: "SIGINT", listener: () => void) => events.off(event, listener),
    exit: (code: number) => void exits.push(code),
  };
  return { events, exits, listen: interruptsOf(source) };
}

describe("Ctrl-C while a turn runs", () => {
  it("reaches the listener once; a second Ctrl-C exits with 130 at once", () => {
    const { events, exits, listen } = fakeProcess();
    let heard = 0;
    listen(() => (heard += 1));
    events.emit("SIGINT");
    expect([heard, exits]).toEqual([1, []]);
    events.emit("SIGINT");
    expect([heard, exits]).toEqual([1, [130]]);
  });

  it("is no longer listened for once the turn is over, and each turn starts counting again", () => {
    const { events, exits, listen } = fakeProcess();
    let heard = 0;
    const stop = listen(() => (heard += 1));
    events.emit("SIGINT");
    stop();
    expect(events.listenerCount("SIGINT")).toBe(0);
    listen(() => (heard += 1));
    events.emit("SIGINT");
    expect([heard, exits]).toEqual([2, []]);
  });
});
