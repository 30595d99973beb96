import pg from "pg";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { AskfirstError, UsageError } from "../errors.js";
import { keyedArgsDigest, sealRecord, verifyChain, type ChainHead } from "./auditChain.js";
import { createPostgresExecutionJournal } from "./executions.js";
import { watchHeads } from "./heads.js";
import { requireMessageId } from "./memory.js";
import { missingCheckpointer, redactUrl } from "./open.js";
import { createPostgresQueue, createPostgresQueueUpkeep } from "./postgresQueue.js";
import { hasAskfirstTables, prepareTables } from "./postgresTables.js";
import { describeConnectFailure, readPoolTarget } from "./postgresUrl.js";
import {
  auditEvent,
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
  let saver: BaseCheckpointSaver | null;
  try {
    if (options.existing && !(await hasAskfirstTables(pool, schema)))
      throw new UsageError(
        `${redactUrl(url)} is not an askfirst store (schema "${schema}" has no askfirst tables): give the --store (or ASKFIRST_STORE) that askfirst chat used`,
      );
    auditKey = await prepareTables(pool, schema, q);
    saver = options.checkpointer ? await openSaver(pool, schema, q) : null;
  } catch (error) {
    await pool.end();
    if (error instanceof UsageError) throw error;
    const why = describeConnectFailure(error, connectTimeoutMs);
    throw new AskfirstError(`cannot use the PostgreSQL store at ${redactUrl(url)}: ${why}`, {
      code: "store_unavailable",
      cause: error,
    });
  }
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
