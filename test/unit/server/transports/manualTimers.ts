import type { Timers } from "../../../../src/server/transports/sessions.js";

/** Timers that fire only when a test says so: the test plays the clock instead of waiting. */
export class ManualTimers implements Timers {
  private pending: { callback: () => void; ms: number; due: number }[] = [];
  private now = 0;

  start(callback: () => void, ms: number): () => void {
    const entry = { callback, ms, due: this.now + ms };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((other) => other !== entry);
    };
  }

  /** The delays of the timers armed and not yet fired or cancelled. */
  get armed(): number[] {
    return this.pending.map((entry) => entry.ms);
  }

  /** Fires every armed timer, as if their delays had all passed. */
  elapse(): void {
    const due = this.pending;
    this.pending = [];
    for (const entry of due) entry.callback();
  }

  /** Moves the clock on by `ms`, firing the timers that fall due by then. */
  advance(ms: number): void {
    this.now += ms;
    const due = this.pending.filter((entry) => entry.due <= this.now);
    this.pending = this.pending.filter((entry) => entry.due > this.now);
    for (const entry of due) entry.callback();
  }
}
