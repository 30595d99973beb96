import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { useWal } from "../../src/sqliteWal.js";

const folder = mkdtempSync(join(tmpdir(), "askfirst-wal-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/**
 * Another process writing to a new database (not yet in WAL mode) for `ms`: while it does, SQLite refuses a
 * switch to WAL at once, whatever the busy timeout. Resolves with the writer once its write has begun.
 */
function writeElsewhere(path: string, ms: number): Promise<ChildProcess> {
  const script = `
    const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve("better-sqlite3"))});
    const db = new Database(${JSON.stringify(path)});
    db.exec("CREATE TABLE IF NOT EXISTS t (x)");
    db.exec("BEGIN IMMEDIATE");
    db.prepare("INSERT INTO t VALUES (1)").run();
    process.stdout.write("writing\\n");
    setTimeout(() => db.exec("COMMIT"), ${ms});`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`the writer exited ${code} before writing`)));
  });
}

describe("putting a new SQLite database in WAL mode", () => {
  it("waits out another process that is writing to it, where a plain switch fails at once", async () => {
    const path = join(folder, "waits.db");
    await writeElsewhere(path, 400);
    const plain = new Database(path);
    plain.pragma("busy_timeout = 5000");
    expect(() => plain.pragma("journal_mode = WAL")).toThrow(/database is locked/);
    plain.close();
    const db = new Database(path);
    db.pragma("busy_timeout = 5000");
    useWal(db);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("gives up after the connection's busy timeout, with SQLite's own error", async () => {
    const path = join(folder, "gives-up.db");
    const writer = await writeElsewhere(path, 3000);
    const db = new Database(path);
    db.pragma("busy_timeout = 200");
    const started = Date.now();
    expect(() => useWal(db)).toThrow(/database is locked/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    db.close();
    writer.kill();
  });
});
