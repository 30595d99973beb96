import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { AskfirstError, describeError, UsageError } from "../errors.js";
import { useWal } from "../sqliteWal.js";
import {
  keyedArgsDigest,
  newAuditKey,
  sealRecord,
  verifyChain,
  type ArgsDigest,
  type ChainHead,
} from "./auditChain.js";
import { createSqliteExecutionJournal, executionsTableSql } from "./executions.js";
import { promised } from "./promised.js";
import { watchHeads, type CheckpointHeads } from "./heads.js";
import { requireMessageId } from "./memory.js";
import { missingCheckpointer } from "./open.js";
import {
  recordToRow,
  auditEvent,
  auditEventSql,
  rowToRecord,
  rowToMessage,
  rowToThread,
  type AuditRow,
  type ThreadRow,
} from "./rows.js";
import { createSqliteQueue, createSqliteQueueUpkeep } from "./sqliteQueue.js";
import type { AuditLog, Store, ThreadIndex, Transcript } from "./types.js";

type Db = Database.Database;

const schemaSql = `
CREATE TABLE IF NOT EXISTS askfirst_reviews (
  thread_id TEXT NOT NULL, interrupt_id TEXT NOT NULL, acting_user TEXT NOT NULL, request TEXT NOT NULL,
  created_at INTEGER NOT NULL, deadline INTEGER, claimed_by TEXT, claimed_at INTEGER, claim_owner TEXT,
  checkpoint_id TEXT, shown_to TEXT, shown_at INTEGER, PRIMARY KEY (thread_id, interrupt_id));
CREATE INDEX IF NOT EXISTS askfirst_reviews_created ON askfirst_reviews (created_at);
CREATE TABLE IF NOT EXISTS askfirst_audit (
  seq INTEGER PRIMARY KEY, thread_id TEXT NOT NULL, tool_call_id TEXT NOT NULL, event TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS askfirst_audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS askfirst_transcript (
  id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id TEXT NOT NULL, message_id TEXT NOT NULL, message TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS askfirst_transcript_message ON askfirst_transcript (thread_id, message_id);
CREATE TABLE IF NOT EXISTS askfirst_threads (
  thread_id TEXT PRIMARY KEY, acting_user TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS askfirst_keys (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * The `sqlite:<path>` store: LangGraph's SqliteSaver and askfirst's own tables in one file, shared by every
 * process on this host. WAL lets readers run beside a writer; writers wait up to busy_timeout for each other.
 */
export async function openSqliteStore(
  path: string,
  options: { clock: () => number; checkpointer: boolean; existing?: boolean },
): Promise<Store> {
  const db = openDatabase(path, options.existing ?? false);
  let saver: BaseCheckpointSaver | undefined;
  let makeSaver: (() => BaseCheckpointSaver) | undefined;
  let heads: CheckpointHeads | undefined;
  if (options.checkpointer) {
    const [{ QueueKeepingSqliteSaver }, { CheckpointSerializer }] = await Promise.all([
      import("./sqliteSaver.js"),
      import("./serde.js"),
    ]);
    makeSaver = () =>
      new QueueKeepingSqliteSaver(db, new CheckpointSerializer(), createSqliteQueueUpkeep(db));
  }
  return {
    kind: "sqlite",
    get checkpointer() {
      if (!makeSaver) return missingCheckpointer();
      return (saver ??= makeSaver());
    },
    queue: createSqliteQueue(db, options.clock),
    audit: createSqliteAuditLog(db),
    transcript: createSqliteTranscript(db),
    threads: createSqliteThreadIndex(db, options.clock),
    executions: createSqliteExecutionJournal(db),
    get heads() {
      return (heads ??= watchHeads(makeSaver ? (saver ??= makeSaver()) : null, latestCheckpointId(db)));
    },
    close: () => {
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}

/** The latest top-level checkpoint id of a thread, from SqliteSaver's table (null before it exists). */
function latestCheckpointId(db: Db): (threadId: string) => Promise<string | null> {
  let query: Database.Statement | undefined;
  return (threadId) =>
    promised(() => {
      if (!query) {
        const exists = db.prepare(
          "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'",
        );
        if (!exists.get()) return null;
        query = db.prepare(
          "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1",
        );
      }
      const row = query.get(threadId) as { checkpoint_id: string } | undefined;
      return row?.checkpoint_id ?? null;
    });
}

/** `existing`: open only a file askfirst made (see OpenStoreOptions.existing), changing nothing in another. */
function openDatabase(path: string, existing: boolean): Db {
  try {
    if (!existing) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { fileMustExist: existing });
    db.pragma("busy_timeout = 10000");
    if (existing && !hasAskfirstTables(db)) {
      db.close();
      throw new UsageError(
        `${path} is not an askfirst store (it has no askfirst tables): give the --store (or ASKFIRST_STORE) that askfirst chat used`,
      );
    }
    useWal(db);
    db.pragma("synchronous = NORMAL");
    db.exec(schemaSql);
    db.exec(executionsTableSql("askfirst_executions", "INTEGER"));
    addMissingColumns(db);
    db.exec(
      "CREATE UNIQUE INDEX IF NOT EXISTS askfirst_audit_event ON askfirst_audit (thread_id, tool_call_id, event)",
    );
    return db;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Not a database, or a folder: the --store given names the wrong file, which is the person's to fix.
    const code = (error as { code?: unknown }).code;
    const isWrongFile = code === "SQLITE_NOTADB" || code === "EISDIR" || code === "SQLITE_CANTOPEN";
    throw new AskfirstError(`cannot open the SQLite store at ${path}: ${describeError(error)}`, {
      code: "store_unavailable",
      cause: error,
      ...(isWrongFile ? { source: "user" as const } : {}),
    });
  }
}

/** Every askfirst version made these two tables (checked before anything, even WAL, is written). */
function hasAskfirstTables(db: Db): boolean {
  const found = db.prepare(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name IN ('askfirst_audit', 'askfirst_reviews')",
  );
  return found.get() !== undefined;
}

/**
 * Files made by earlier versions get what they lack on first open: the claim's time and owner, the
 * checkpoint a review was recorded with (queueing.ts; null until the thread's next write), who has its
 * card open, and the
 * audit's event column (filled in from each record) with its unique index in place of the one on the call
 * alone. One process upgrades at a time (BEGIN IMMEDIATE), checking again once it holds the lock.
 */
function addMissingColumns(db: Db): void {
  const columnsOf = (table: string) =>
    (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
  const lacking = () => {
    const reviews = columnsOf("askfirst_reviews");
    return {
      claimedAt: !reviews.includes("claimed_at"),
      claimOwner: !reviews.includes("claim_owner"),
      checkpointId: !reviews.includes("checkpoint_id"),
      shown: !reviews.includes("shown_to"),
      event: !columnsOf("askfirst_audit").includes("event"),
      startedUnder: !columnsOf("askfirst_executions").includes("decision"),
    };
  };
  if (!Object.values(lacking()).some(Boolean)) return;
  db.transaction(() => {
    const missing = lacking();
    if (missing.claimedAt) db.exec("ALTER TABLE askfirst_reviews ADD COLUMN claimed_at INTEGER");
    if (missing.claimOwner) db.exec("ALTER TABLE askfirst_reviews ADD COLUMN claim_owner TEXT");
    if (missing.checkpointId) db.exec("ALTER TABLE askfirst_reviews ADD COLUMN checkpoint_id TEXT");
    if (missing.shown) {
      db.exec("ALTER TABLE askfirst_reviews ADD COLUMN shown_to TEXT");
      db.exec("ALTER TABLE askfirst_reviews ADD COLUMN shown_at INTEGER");
    }
    if (missing.startedUnder) {
      db.exec("ALTER TABLE askfirst_executions ADD COLUMN decision TEXT");
      db.exec("ALTER TABLE askfirst_executions ADD COLUMN reviewer TEXT");
    }
    if (missing.event) {
      db.exec("ALTER TABLE askfirst_audit ADD COLUMN event TEXT NOT NULL DEFAULT ''");
      const event = auditEventSql("json_extract(entry, '$.decision')", "json_extract(entry, '$.reviewer')");
      db.exec(`UPDATE askfirst_audit SET event = ${event}`);
      db.exec("DROP INDEX IF EXISTS askfirst_audit_call");
    }
  }).immediate();
}

function createSqliteAuditLog(db: Db): AuditLog {
  const exists = db.prepare(
    "SELECT 1 FROM askfirst_audit WHERE thread_id = ? AND tool_call_id = ? AND event = ?",
  );
  const readHead = db.prepare("SELECT seq, hash FROM askfirst_audit_head WHERE id = 1");
  const insert = db.prepare(
    "INSERT INTO askfirst_audit (seq, thread_id, tool_call_id, event, prev_hash, hash, entry) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const writeHead = db.prepare(
    "INSERT INTO askfirst_audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
  );
  const listAll = db.prepare("SELECT * FROM askfirst_audit ORDER BY seq");
  const listThread = db.prepare("SELECT * FROM askfirst_audit WHERE thread_id = ? ORDER BY seq");
  // The call ids go in as one JSON array: one statement whatever their number; in a thread, on its index.
  const listThreadCalls = db.prepare(
    "SELECT * FROM askfirst_audit WHERE thread_id = ? AND tool_call_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
  );
  const listCalls = db.prepare(
    "SELECT * FROM askfirst_audit WHERE tool_call_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
  );
  // BEGIN IMMEDIATE takes the write lock before reading the head, so appenders in other processes queue
  // behind it and the chain never forks.
  const append = db.transaction((entry: Parameters<AuditLog["append"]>[0]) => {
    if (exists.get(entry.threadId, entry.toolCallId, auditEvent(entry))) return;
    const head = (readHead.get() as ChainHead | undefined) ?? null;
    const record = sealRecord(entry, head);
    insert.run(...recordToRow(record));
    writeHead.run(record.seq, record.hash);
  });
  // One read transaction: the head and the records come from the same snapshot, so a concurrent append
  // is never mistaken for a deleted record.
  const snapshot = db.transaction((anchor: ChainHead | null) => {
    const head = (readHead.get() as ChainHead | undefined) ?? null;
    return verifyChain((listAll.all() as AuditRow[]).map(rowToRecord), head, anchor);
  });
  let digest: ArgsDigest | undefined;
  return {
    append: (entry) => promised(() => append.immediate(entry)),
    list: (filter) =>
      promised(() => {
        const threadId = filter?.threadId;
        const calls = filter?.toolCallIds && JSON.stringify(filter.toolCallIds);
        const rows = threadId
          ? calls
            ? listThreadCalls.all(threadId, calls)
            : listThread.all(threadId)
          : calls
            ? listCalls.all(calls)
            : listAll.all();
        return (rows as AuditRow[]).map(rowToRecord);
      }),
    verify: (anchor) => promised(() => snapshot(anchor ?? null)),
    digestArgs: (args) => (digest ??= keyedArgsDigest(readAuditKey(db)))(args),
  };
}

/** The store's audit key, made by whichever process needs it first (every other one reads that one). */
function readAuditKey(db: Db): string {
  db.prepare("INSERT OR IGNORE INTO askfirst_keys (name, value) VALUES ('audit', ?)").run(newAuditKey());
  const row = db.prepare("SELECT value FROM askfirst_keys WHERE name = 'audit'").get() as { value: string };
  return row.value;
}

function createSqliteTranscript(db: Db): Transcript {
  const insert = db.prepare(
    "INSERT INTO askfirst_transcript (thread_id, message_id, message) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  const read = db.prepare("SELECT message FROM askfirst_transcript WHERE thread_id = ? ORDER BY id");
  const readFrom = db.prepare(
    `SELECT message FROM askfirst_transcript WHERE thread_id = ? AND id >= COALESCE(
       (SELECT id FROM askfirst_transcript WHERE thread_id = ? AND message_id = ?), 0) ORDER BY id`,
  );
  const has = db.prepare("SELECT 1 FROM askfirst_transcript WHERE thread_id = ? AND message_id = ?").pluck();
  const appendAll = db.transaction((threadId: string, messages: Parameters<Transcript["append"]>[1]) => {
    for (const message of messages) insert.run(threadId, requireMessageId(message), JSON.stringify(message));
  });
  return {
    append: (threadId, messages) => promised(() => appendAll.immediate(threadId, messages)),
    read: (threadId, from) =>
      promised(() => {
        const rows = from === undefined ? read.all(threadId) : readFrom.all(threadId, threadId, from);
        return (rows as { message: string }[]).map((row) => rowToMessage(row.message));
      }),
    has: (threadId, messageId) => promised(() => has.get(threadId, messageId) !== undefined),
  };
}

function createSqliteThreadIndex(db: Db, clock: () => number): ThreadIndex {
  const upsert = db.prepare(
    `INSERT INTO askfirst_threads (thread_id, acting_user, created_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (thread_id) DO UPDATE SET acting_user = excluded.acting_user, updated_at = excluded.updated_at`,
  );
  const get = db.prepare("SELECT * FROM askfirst_threads WHERE thread_id = ?");
  return {
    touch: (threadId, actingUser) =>
      promised(() => {
        const now = clock();
        upsert.run(threadId, actingUser, now, now);
      }),
    get: (threadId) =>
      promised(() => {
        const row = get.get(threadId) as ThreadRow | undefined;
        return row ? rowToThread(row) : null;
      }),
  };
}
