import type pg from "pg";
import { newAuditKey } from "./auditChain.js";
import { executionsTableSql } from "./executions.js";
import { withTransaction, type Quote } from "./postgres.js";
import { auditEventSql } from "./rows.js";

/** PostgreSQL's insufficient_privilege: the role may use the rows but not change the schema. */
export function isPermissionDenied(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "42501";
}

/** Every askfirst version made one of these two tables (an early one made only the audit's). */
export async function hasAskfirstTables(pool: pg.Pool, schema: string): Promise<boolean> {
  const found = await pool.query(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('askfirst_audit', 'askfirst_reviews')",
    [schema],
  );
  return Boolean(found.rowCount);
}

/**
 * Creates what is missing, and returns the store's audit key (made here on first use). A role that may not
 * change the schema (it owns no table there, and may not create schemas) still opens a store its owner set
 * up: it only reads and writes rows.
 */
export async function prepareTables(pool: pg.Pool, schema: string, q: Quote): Promise<string> {
  try {
    return await createTables(pool, schema, q);
  } catch (error) {
    if (!isPermissionDenied(error)) throw error;
    const key = await pool
      .query<{ value: string }>(`SELECT value FROM ${q("askfirst_keys")} WHERE name = 'audit'`)
      .then(
        (found) => found.rows[0]?.value ?? null,
        () => null,
      );
    if (key === null) throw error;
    return key;
  }
}

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
