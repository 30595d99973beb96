import type Database from "better-sqlite3";

/**
 * Puts a SQLite database in WAL mode. When two processes open a new database at once (two `askfirst serve`
 * for two users on a fresh data folder, two commands on a fresh store), SQLite can answer one of them
 * "database is locked" at once, without waiting out busy_timeout, because each would be waiting on the
 * other. That one tries again, for as long as the connection's busy timeout, and only then fails.
 */
export function useWal(db: Database.Database): void {
  const deadline = Date.now() + Number(db.pragma("busy_timeout", { simple: true }));
  for (;;) {
    try {
      db.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      // Opening is synchronous, as the busy timeout's own waits are; the jitter keeps two openers apart.
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 20));
    }
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

function isBusy(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "SQLITE_BUSY";
}
