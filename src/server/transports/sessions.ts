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
  owner: string;
  active: number;
  cancelIdle?: () => void;
}

export interface SessionTableOptions<S> {
  idleMs: number;
  max: number;
  /** Sessions one owner may hold at once, counting those being opened; defaults to `max`. */
  maxPerOwner?: number;
  timers: Timers;
  /** Called once when a session has had no request for `idleMs`; it is already out of the table. */
  onIdle: (session: S) => void;
}

/**
 * Open sessions by id, at most `max` of them and `maxPerOwner` of one owner (counting those being
 * initialized), so one owner cannot take every place. A session is idle while
 * none of its requests is in flight; an open stream (a client's GET for notifications) counts as in flight,
 * so only an abandoned session expires.
 */
export class SessionTable<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly openingBy = new Map<string, number>();

  constructor(private readonly options: SessionTableOptions<S>) {}

  get size(): number {
    return this.entries.size;
  }

  /** Why `owner` may not open one more session now, or undefined when there is a place. */
  refusal(owner: string): "full" | "owner_full" | undefined {
    const opening = [...this.openingBy.values()].reduce((sum, count) => sum + count, 0);
    if (this.entries.size + opening >= this.options.max) return "full";
    if (this.countOf(owner) >= (this.options.maxPerOwner ?? this.options.max)) return "owner_full";
    return undefined;
  }

  /** A place for one more session of `owner`, or undefined when `refusal` names a cap that is reached. */
  reserve(owner: string): Reservation<S> | undefined {
    if (this.refusal(owner)) return undefined;
    this.addOpening(owner, 1);
    let isHeld = true;
    const release = (): void => {
      if (isHeld) this.addOpening(owner, -1);
      isHeld = false;
    };
    return {
      fill: (id, session) => {
        if (!isHeld) throw new Error("a released session reservation cannot be filled");
        release();
        this.entries.set(id, { session, owner, active: 0 });
        this.armIdle(id);
      },
      release,
    };
  }

  /** Sessions of `owner`, open or being opened. */
  countOf(owner: string): number {
    let count = this.openingBy.get(owner) ?? 0;
    for (const entry of this.entries.values()) if (entry.owner === owner) count += 1;
    return count;
  }

  private addOpening(owner: string, delta: number): void {
    const count = (this.openingBy.get(owner) ?? 0) + delta;
    if (count > 0) this.openingBy.set(owner, count);
    else this.openingBy.delete(owner);
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
