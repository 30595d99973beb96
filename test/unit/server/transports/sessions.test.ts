import { describe, expect, it } from "vitest";
import { SessionTable } from "../../../../src/server/transports/sessions.js";
import { ManualTimers } from "./manualTimers.js";

function table(max = 10, maxPerOwner?: number) {
  const timers = new ManualTimers();
  const closed: string[] = [];
  const sessions = new SessionTable<string>({
    idleMs: 60_000,
    max,
    maxPerOwner,
    timers,
    onIdle: (session) => closed.push(session),
  });
  return { sessions, timers, closed };
}

function open(sessions: SessionTable<string>, id: string, owner = "henry"): void {
  const reservation = sessions.reserve(owner);
  if (!reservation) throw new Error("no room");
  reservation.fill(id, `session ${id}`);
}

describe("SessionTable", () => {
  it("closes a session idle for idleMs, after which its id is unknown", () => {
    const { sessions, timers, closed } = table();
    open(sessions, "a");
    expect(timers.armed).toEqual([60_000]);
    timers.elapse();
    expect(closed).toEqual(["session a"]);
    expect(sessions.begin("a")).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it("never expires a session while a request or stream is in flight, and restarts the wait after", () => {
    const { sessions, timers, closed } = table();
    open(sessions, "a");
    const first = sessions.begin("a");
    const second = sessions.begin("a");
    expect(first?.session).toBe("session a");
    expect(timers.armed).toEqual([]);
    first?.end();
    first?.end();
    expect(timers.armed).toEqual([]);
    second?.end();
    expect(timers.armed).toEqual([60_000]);
    timers.elapse();
    expect(closed).toEqual(["session a"]);
  });

  it("counts sessions being opened against the cap, and a released place is free again", () => {
    const { sessions } = table(2);
    open(sessions, "a");
    const pending = sessions.reserve("henry");
    expect(pending).toBeDefined();
    expect(sessions.reserve("henry")).toBeUndefined();
    pending?.release();
    pending?.release();
    open(sessions, "b");
    expect(sessions.reserve("henry")).toBeUndefined();
    sessions.remove("a");
    expect(sessions.reserve("henry")).toBeDefined();
  });

  it("holds one owner to maxPerOwner, counting sessions being opened, while others still get places", () => {
    const { sessions } = table(10, 2);
    open(sessions, "a");
    const pending = sessions.reserve("henry");
    expect(sessions.refusal("henry")).toBe("owner_full");
    expect(sessions.reserve("henry")).toBeUndefined();
    open(sessions, "r", "rose");
    pending?.release();
    open(sessions, "b");
    expect(sessions.reserve("henry")).toBeUndefined();
    sessions.remove("a");
    expect(sessions.reserve("henry")).toBeDefined();
  });

  it("does not close a removed session when its old timer would have fired", () => {
    const { sessions, timers, closed } = table();
    open(sessions, "a");
    sessions.remove("a");
    expect(timers.armed).toEqual([]);
    open(sessions, "b");
    expect(sessions.clear()).toEqual(["session b"]);
    timers.elapse();
    expect(closed).toEqual([]);
  });
});
