import pg from "pg";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { AskfirstError, UsageError } from "../errors.js";
import { keyedArgsDigest, newAuditKey, sealRecord, verifyChain, type ChainHead } from "./auditChain.js";
import { createPostgresExecutionJournal, executionsTableSql } from "./executions.js";
import { watchHeads } from "./heads.js";
import { requireMessageId } from "./memory.js";
import { missingCheckpointer, redactUrl } from "./open.js";
import { createPostgresQueue, createPostgresQueueUpkeep } from "./postgresQueue.js";
import { describeConnectFailure, readPoolTarget } from "./postgresUrl.js";
import {
  auditEvent,
  auditEventSql,
  recordToRow,
  rowToRecord,
  rowToMessage,
  rowToThread,
  type AuditRow,
  type ThreadRow,
} from "./rows.js";
import type { AuditLog, Store, ThreadIndex, Transcript } from "./types.js";

/**
 * The `postgres://` store, for teams whose agents and reviewers run on several hosts: LangGraph's
 * PostgresSaver plus askfirst's tables, all in one schema (default "public", or `?schema=` in the URL, or
 * the schema option), created on first use.
 */
export async function openPostgresStore(
  url: string,
  options: {
    clock: () => number;
    checkpointer: boolean;
    schema?: string | undefined;
    existing?: boolean | undefined;
  },
): Promise<Store> {
  const { connectionString, schema, connectTimeoutMs } = readPoolTarget(url, options.schema);
  const pool = new pg.Pool({ connectionString, max: 5, connectionTimeoutMillis: connectTimeoutMs });
  // An idle client that loses its server emits "error"; without a listener that would crash the process.
  pool.on("error", () => undefined);
  const q = (name: string): string => `"${schema}"."${name}"`;
  let auditKey: string;
  try {
    if (options.existing && !(await hasAskfirstTables(pool, schema)))
      throw new UsageError(
        `${redactUrl(url)} is not an askfirst store (schema "${schema}" has no askfirst tables): give the --store (or ASKFIRST_STORE) that askfirst chat used`,
      );
    auditKey = await createTables(pool, schema, q);
  } catch (error) {
    await pool.end();
    if (error instanceof UsageError) throw error;
    const why = describeConnectFailure(error, connectTimeoutMs);
    throw new AskfirstError(`cannot use the PostgreSQL store at ${redactUrl(url)}: ${why}`, {
      code: "store_unavailable",
      cause: error,
    });
  }
  const saver = options.checkpointer ? await openSaver(pool, schema, q) : null;
  return {
    kind: "postgres",
    get checkpointer() {
      return saver ?? missingCheckpointer();
    },
    queue: createPostgresQueue(pool, q, options.clock),
    audit: createPostgresAuditLog(pool, q, schema, auditKey),
    transcript: createPostgresTranscript(pool, q),
    threads: createPostgresThreadIndex(pool, q, options.clock),
    executions: createPostgresExecutionJournal(pool, q),
    heads: watchHeads(saver, async (threadId) => {
      const { rows } = await pool.query<{ checkpoint_id: string }>(
        `SELECT checkpoint_id FROM ${q("checkpoints")} WHERE thread_id = $1 AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1`,
        [threadId],
      );
      return rows[0]?.checkpoint_id ?? null;
    }),
    close: () => pool.end(),
  };
}

async function openSaver(pool: pg.Pool, schema: string, q: Quote): Promise<BaseCheckpointSaver> {
  const { openPostgresSaver } = await import("./postgresSaver.js");
  return openPostgresSaver(pool, schema, q, createPostgresQueueUpkeep(q));
}

export type Quote = (table: string) => string;

/** Every askfirst version made one of these two tables (an early one made only the audit's). */
async function hasAskfirstTables(pool: pg.Pool, schema: string): Promise<boolean> {
  const found = await pool.query(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('askfirst_audit', 'askfirst_reviews')",
    [schema],
  );
  return Boolean(found.rowCount);
}

/** Creates what is missing, and returns the store's audit key (made here on first use). */
async function createTables(pool: pg.Pool, schema: string, q: Quote): Promise<string> {
  return withTransaction(pool, async (client) => {
    // Two processes creating the same tables at once would collide in the catalog; one waits instead.
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`askfirst:setup:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${q("askfirst_reviews")} (
        thread_id TEXT NOT NULL, interrupt_id TEXT NOT NULL, acting_user TEXT NOT NULL, request TEXT NOT NULL,
        created_at BIGINT NOT NULL, deadline BIGINT, claimed_by TEXT, PRIMARY KEY (thread_id, interrupt_id));
      ALTER TABLE ${q("askfirst_reviews")} ADD COLUMN IF NOT EXISTS claimed_at BIGINT,
        ADD COLUMN IF NOT EXISTS claim_owner TEXT, ADD COLUMN IF NOT EXISTS checkpoint_id TEXT,
        ADD COLUMN IF NOT EXISTS shown_to TEXT, ADD COLUMN IF NOT EXISTS shown_at BIGINT;
      CREATE INDEX IF NOT EXISTS askfirst_reviews_created ON ${q("askfirst_reviews")} (created_at);
      CREATE TABLE IF NOT EXISTS ${q("askfirst_audit")} (
        seq BIGINT PRIMARY KEY, thread_id TEXT NOT NULL, tool_call_id TEXT NOT NULL,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL, entry TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ${q("askfirst_audit_head")} (
        id INT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS ${q("askfirst_transcript")} (
        id BIGSERIAL PRIMARY KEY, thread_id TEXT NOT NULL, message_id TEXT NOT NULL, message TEXT NOT NULL);
      CREATE UNIQUE INDEX IF NOT EXISTS askfirst_transcript_message ON ${q("askfirst_transcript")} (thread_id, message_id);
      CREATE TABLE IF NOT EXISTS ${q("askfirst_threads")} (
        thread_id TEXT PRIMARY KEY, acting_user TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);`);
    await client.query(executionsTableSql(q("askfirst_executions"), "BIGINT"));
    await client.query(
      `ALTER TABLE ${q("askfirst_executions")} ADD COLUMN IF NOT EXISTS decision TEXT, ADD COLUMN IF NOT EXISTS reviewer TEXT`,
    );
    await addAuditEvents(client, schema, q);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${q("askfirst_keys")} (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    );
    await client.query(
      `INSERT INTO ${q("askfirst_keys")} (name, value) VALUES ('audit', $1) ON CONFLICT (name) DO NOTHING`,
      [newAuditKey()],
    );
    const key = await client.query<{ value: string }>(
      `SELECT value FROM ${q("askfirst_keys")} WHERE name = 'audit'`,
    );
    return (key.rows[0] as { value: string }).value;
  });
}

/**
 * Each record's event (see rows.ts), a column since a call may have one record per decision: tables made
 * by earlier versions get it filled in from their records, and the unique index moves from the call alone
 * to the call and its event. Runs under createTables' lock.
 */
async function addAuditEvents(client: pg.PoolClient, schema: string, q: Quote): Promise<void> {
  const added = await client.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'askfirst_audit' AND column_name = 'event'`,
    [schema],
  );
  if (!added.rowCount) {
    await client.query(`ALTER TABLE ${q("askfirst_audit")} ADD COLUMN event TEXT NOT NULL DEFAULT ''`);
    const event = auditEventSql("(entry::json ->> 'decision')", "(entry::json ->> 'reviewer')");
    await client.query(`UPDATE ${q("askfirst_audit")} SET event = ${event}`);
    await client.query(`DROP INDEX IF EXISTS "${schema}".askfirst_audit_call`);
  }
  await client.query(
    `CREATE UNIQUE INDEX IF NOT EXISTS askfirst_audit_event ON ${q("askfirst_audit")} (thread_id, tool_call_id, event)`,
  );
}

function createPostgresAuditLog(pool: pg.Pool, q: Quote, schema: string, auditKey: string): AuditLog {
  const readHead = async (client: pg.Pool | pg.PoolClient): Promise<ChainHead | null> => {
    const result = await client.query<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM ${q("askfirst_audit_head")}`,
    );
    const row = result.rows[0];
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  };
  return {
    async append(entry) {
      await withTransaction(pool, async (client) => {
        // One appender at a time per schema, across hosts: the chain never forks.
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`askfirst:audit:${schema}`]);
        const existing = await client.query(
          `SELECT 1 FROM ${q("askfirst_audit")} WHERE thread_id = $1 AND tool_call_id = $2 AND event = $3`,
          [entry.threadId, entry.toolCallId, auditEvent(entry)],
        );
        if (existing.rowCount) return;
        const record = sealRecord(entry, await readHead(client));
        await client.query(
          `INSERT INTO ${q("askfirst_audit")} (seq, thread_id, tool_call_id, event, prev_hash, hash, entry)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          recordToRow(record),
        );
        await client.query(
          `INSERT INTO ${q("askfirst_audit_head")} (id, seq, hash) VALUES (1, $1, $2)
           ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
          [record.seq, record.hash],
        );
      });
    },
    async list(filter) {
      const conditions: string[] = [];
      const values: unknown[] = [];
      if (filter?.threadId) {
        values.push(filter.threadId);
        conditions.push(`thread_id = $${values.length}`);
      }
      if (filter?.toolCallIds) {
        values.push([...filter.toolCallIds]);
        conditions.push(`tool_call_id = ANY($${values.length}::text[])`);
      }
      const where = conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
      const result = await pool.query<AuditRow>(
        `SELECT * FROM ${q("askfirst_audit")}${where} ORDER BY seq`,
        values,
      );
      return result.rows.map(rowToRecord);
    },
    async verify(anchor) {
      return withTransaction(pool, async (client) => {
        // REPEATABLE READ: the head and the records are read from one snapshot, so a concurrent append is
        // never mistaken for a deleted record.
        await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        const head = await readHead(client);
        const result = await client.query<AuditRow>(`SELECT * FROM ${q("askfirst_audit")} ORDER BY seq`);
        return verifyChain(result.rows.map(rowToRecord), head, anchor ?? null);
      });
    },
    digestArgs: keyedArgsDigest(auditKey),
  };
}

function createPostgresTranscript(pool: pg.Pool, q: Quote): Transcript {
  return {
    async append(threadId, messages) {
      if (messages.length === 0) return;
      const values: unknown[] = [];
      const tuples = messages.map((message, index) => {
        values.push(threadId, requireMessageId(message), JSON.stringify(message));
        return `($${index * 3 + 1}, $${index * 3 + 2}, $${index * 3 + 3})`;
      });
      await pool.query(
        `INSERT INTO ${q("askfirst_transcript")} (thread_id, message_id, message) VALUES ${tuples.join(", ")}
         ON CONFLICT DO NOTHING`,
        values,
      );
    },
    async read(threadId, from) {
      const table = q("askfirst_transcript");
      const result =
        from === undefined
          ? await pool.query<{ message: string }>(
              `SELECT message FROM ${table} WHERE thread_id = $1 ORDER BY id`,
              [threadId],
            )
          : await pool.query<{ message: string }>(
              `SELECT message FROM ${table} WHERE thread_id = $1 AND id >= COALESCE(
                 (SELECT id FROM ${table} WHERE thread_id = $1 AND message_id = $2), 0) ORDER BY id`,
              [threadId, from],
            );
      return result.rows.map((row) => rowToMessage(row.message));
    },
    async has(threadId, messageId) {
      const result = await pool.query(
        `SELECT 1 FROM ${q("askfirst_transcript")} WHERE thread_id = $1 AND message_id = $2`,
        [threadId, messageId],
      );
      return result.rows.length > 0;
    },
  };
}

function createPostgresThreadIndex(pool: pg.Pool, q: Quote, clock: () => number): ThreadIndex {
  return {
    async touch(threadId, actingUser) {
      const now = clock();
      await pool.query(
        `INSERT INTO ${q("askfirst_threads")} (thread_id, acting_user, created_at, updated_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (thread_id) DO UPDATE SET acting_user = excluded.acting_user, updated_at = excluded.updated_at`,
        [threadId, actingUser, now],
      );
    },
    async get(threadId) {
      const result = await pool.query<ThreadRow>(
        `SELECT * FROM ${q("askfirst_threads")} WHERE thread_id = $1`,
        [threadId],
      );
      return result.rows[0] ? rowToThread(result.rows[0]) : null;
    },
  };
}

/** Runs `work` on one connection inside BEGIN/COMMIT, rolling back if it throws. */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
