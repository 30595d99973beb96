import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { sealRecord } from "../../../src/store/auditChain.js";
import { openStore } from "../../../src/store/open.js";
import type { AuditRecord } from "../../../src/store/types.js";
import { sampleEntry, testPostgresUrl } from "./harness.js";

/** Two records as the version before audit events wrote them: a rejection and a policy-allowed call. */
function earlierRecords(): AuditRecord[] {
  const rejected = sealRecord(
    sampleEntry("t-old", "call-1", { decision: "rejected", outcome: "not_run" }),
    null,
  );
  const allowed = sealRecord(
    sampleEntry("t-old", "call-2", { decision: "allowed", reviewer: null, decideMs: null }),
    rejected,
  );
  return [rejected, allowed];
}

const earlierRow = (record: AuditRecord) => {
  const { seq, prevHash, hash, ...entry } = record;
  return [seq, record.threadId, record.toolCallId, prevHash, hash, JSON.stringify(entry)];
};

/** The execution journal as versions before it kept the decision a call started under. */
const earlierExecutions = `thread_id TEXT NOT NULL, tool_call_id TEXT NOT NULL, tool TEXT NOT NULL,
  args_hash TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER, outcome TEXT, result TEXT,
  PRIMARY KEY (thread_id, tool_call_id)`;

/** What a store written by the earlier version does once opened by this one. */
async function expectUpgraded(spec: string): Promise<void> {
  // pending and audit, which open only a store askfirst made, take it for one.
  const reader = await openStore(spec, { cwd: "/", checkpointer: false, existing: true });
  expect((await reader.audit.list()).length).toBe(2);
  await reader.close();
  const store = await openStore(spec, { cwd: "/" });
  try {
    expect(await store.audit.verify()).toMatchObject({ ok: true, count: 2, problems: [] });
    // The same decision again is still written once; another decision on the call gets its own record.
    await store.audit.append(sampleEntry("t-old", "call-1", { decision: "rejected", outcome: "not_run" }));
    await store.audit.append(sampleEntry("t-old", "call-1", { decision: "approved", reviewer: "dad" }));
    await store.audit.append(sampleEntry("t-old", "call-2", { decision: "allowed", reviewer: null }));
    const records = await store.audit.list({ threadId: "t-old" });
    expect(records.map((record) => [record.seq, record.toolCallId, record.decision])).toEqual([
      [1, "call-1", "rejected"],
      [2, "call-2", "allowed"],
      [3, "call-1", "approved"],
    ]);
    expect((await store.audit.verify()).ok).toBe(true);
    // A call the earlier version started reads as started under no known decision; new ones keep theirs.
    expect(await store.executions.get("t-old", "call-9")).toMatchObject({ decision: null, reviewer: null });
    const started = { threadId: "t-old", toolCallId: "call-10", tool: "pay", argsHash: "h", startedAt: 2 };
    await store.executions.start({ ...started, decision: "approved", reviewer: "mom" });
    expect(await store.executions.get("t-old", "call-10")).toMatchObject({
      decision: "approved",
      reviewer: "mom",
    });
    await store.queue.put({
      threadId: "t-old",
      interruptId: "i1",
      actingUser: "joe",
      request: { actionRequests: [], reviewConfigs: [] } as never,
      createdAt: 1,
      deadline: null,
    });
    expect(await store.queue.claim("t-old", "i1", "mom")).toBe(true);
    // A review the earlier version queued leaves once its thread moves on, as one queued now does.
    const moved = { ...emptyCheckpoint(), id: "cp-after" };
    const config = { configurable: { thread_id: "t-old", checkpoint_ns: "" } };
    await store.checkpointer.put(config, moved, { source: "loop", step: 1, parents: {} }, {});
    expect(await store.queue.get("t-old")).toBeNull();
  } finally {
    await store.close();
  }
}

describe("a store written by the version before audit events", () => {
  it("SQLite: keeps its records and chain, and records another decision on a call", async () => {
    const folder = mkdtempSync(join(tmpdir(), "askfirst-upgrade-"));
    try {
      const path = join(folder, "old.db");
      const db = new Database(path);
      db.exec(`
        CREATE TABLE askfirst_reviews (
          thread_id TEXT NOT NULL, interrupt_id TEXT NOT NULL, acting_user TEXT NOT NULL, request TEXT NOT NULL,
          created_at INTEGER NOT NULL, deadline INTEGER, claimed_by TEXT, PRIMARY KEY (thread_id, interrupt_id));
        CREATE TABLE askfirst_audit (
          seq INTEGER PRIMARY KEY, thread_id TEXT NOT NULL, tool_call_id TEXT NOT NULL,
          prev_hash TEXT NOT NULL, hash TEXT NOT NULL, entry TEXT NOT NULL);
        CREATE UNIQUE INDEX askfirst_audit_call ON askfirst_audit (thread_id, tool_call_id);
        CREATE TABLE askfirst_audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
        CREATE TABLE askfirst_executions (${earlierExecutions});
        INSERT INTO askfirst_executions VALUES ('t-old', 'call-9', 'pay', 'h', 1, NULL, NULL, NULL);`);
      const records = earlierRecords();
      for (const record of records)
        db.prepare("INSERT INTO askfirst_audit VALUES (?, ?, ?, ?, ?, ?)").run(...earlierRow(record));
      db.prepare("INSERT INTO askfirst_audit_head VALUES (1, ?, ?)").run(2, records[1]?.hash);
      db.close();

      await expectUpgraded(`sqlite:${path}`);
      const after = new Database(path, { readonly: true });
      const indexes = after.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all();
      const events = after.prepare("SELECT event FROM askfirst_audit ORDER BY seq").all();
      after.close();
      expect(indexes).not.toContainEqual({ name: "askfirst_audit_call" });
      expect(events).toEqual([
        { event: "rejected by mom" },
        { event: "allowed" },
        { event: "approved by dad" },
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("PostgreSQL: keeps its records and chain, and records another decision on a call", async () => {
    const schema = `askfirst_test_upgrade_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    try {
      const audit = `"${schema}".askfirst_audit`;
      await client.query(`
        CREATE SCHEMA "${schema}";
        CREATE TABLE ${audit} (
          seq BIGINT PRIMARY KEY, thread_id TEXT NOT NULL, tool_call_id TEXT NOT NULL,
          prev_hash TEXT NOT NULL, hash TEXT NOT NULL, entry TEXT NOT NULL);
        CREATE UNIQUE INDEX askfirst_audit_call ON ${audit} (thread_id, tool_call_id);
        CREATE TABLE "${schema}".askfirst_audit_head (id INT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
        CREATE TABLE "${schema}".askfirst_executions (${earlierExecutions.replaceAll("INTEGER", "BIGINT")});
        INSERT INTO "${schema}".askfirst_executions VALUES ('t-old', 'call-9', 'pay', 'h', 1, NULL, NULL, NULL);`);
      const records = earlierRecords();
      for (const record of records)
        await client.query(`INSERT INTO ${audit} VALUES ($1, $2, $3, $4, $5, $6)`, earlierRow(record));
      await client.query(`INSERT INTO "${schema}".askfirst_audit_head VALUES (1, 2, $1)`, [records[1]?.hash]);

      const url = new URL(testPostgresUrl);
      url.searchParams.set("schema", schema);
      await expectUpgraded(url.toString());
      const indexes = await client.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1`, [schema]);
      const events = await client.query(`SELECT event FROM ${audit} ORDER BY seq`);
      expect(indexes.rows).not.toContainEqual({ indexname: "askfirst_audit_call" });
      expect(events.rows).toEqual([
        { event: "rejected by mom" },
        { event: "allowed" },
        { event: "approved by dad" },
      ]);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
