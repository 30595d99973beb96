/** Starts a one-shot timer and returns its cancel function; tests pass their own to skip real waiting. */
export interface Timers {
  start(callback: () => void, ms: number): () => void;
}

/** Real timers that never keep the process alive on their own. */
export const systemTimers: Timers = {
  start(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** A place held for a session being initialized: `fill` it once the session has an id, or `release` it. */
export interface Reservation<S> {
  fill(id: string, session: S): void;
  release(): void;
}

interface Entry<S> {
  session: S;
  active: number;
  cancelIdle?: () => void;
}

export interface SessionTableOptions<S> {
  idleMs: number;
  max: number;
  timers: Timers;
  /** Called once when a session has had no request for `idleMs`; it is already out of the table. */
  onIdle: (session: S) => void;
}

/**
 * Open sessions by id, at most `max` of them (counting those being initialized). A session is idle while
 * none of its requests is in flight; an open stream (a client's GET for notifications) counts as in flight,
 * so only an abandoned session expires.
 */
export class SessionTable<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private opening = 0;

  constructor(private readonly options: SessionTableOptions<S>) {}

  get size(): number {
    return this.entries.size;
  }

  /** A place for one more session, or undefined when `max` are open or opening. */
  reserve(): Reservation<S> | undefined {
    if (this.entries.size + this.opening >= this.options.max) return undefined;
    this.opening += 1;
    let isHeld = true;
    const release = (): void => {
      if (isHeld) this.opening -= 1;
      isHeld = false;
    };
    return {
      fill: (id, session) => {
        if (!isHeld) throw new Error("a released session reservation cannot be filled");
        release();
        this.entries.set(id, { session, active: 0 });
        this.armIdle(id);
      },
      release,
    };
  }

  /** The session with this id, without counting a request to it (for checks before one is let in). */
  find(id: string): S | undefined {
    return this.entries.get(id)?.session;
  }

  /**
   * Marks a request to session `id` as started. Returns the session and the function to call when the
   * request's response has closed, or undefined for an unknown or expired id.
   */
  begin(id: string): { session: S; end: () => void } | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    entry.active += 1;
    entry.cancelIdle?.();
    entry.cancelIdle = undefined;
    let hasEnded = false;
    const end = (): void => {
      if (hasEnded) return;
      hasEnded = true;
      entry.active -= 1;
      if (entry.active === 0 && this.entries.get(id) === entry) this.armIdle(id);
    };
    return { session: entry.session, end };
  }

  /** Forgets a session that closed for another reason (the client's DELETE, shutdown). */
  remove(id: string): void {
    this.entries.get(id)?.cancelIdle?.();
    this.entries.delete(id);
  }

  /** Empties the table, returning what was in it. */
  clear(): S[] {
    const sessions = [...this.entries.values()].map((entry) => {
      entry.cancelIdle?.();
      return entry.session;
    });
    this.entries.clear();
    return sessions;
  }

  private armIdle(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.cancelIdle = this.options.timers.start(() => {
      if (this.entries.get(id) !== entry || entry.active > 0) return;
      this.entries.delete(id);
      this.options.onIdle(entry.session);
    }, this.options.idleMs);
  }
}
