import type { Timers } from "../../../../src/server/transports/sessions.js";

/** Timers that fire only when a test says so: the test plays the clock instead of waiting. */
export class ManualTimers implements Timers {
  private pending: { callback: () => void; ms: number }[] = [];

  start(callback: () => void, ms: number): () => void {
    const entry = { callback, ms };
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
}
