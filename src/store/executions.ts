import type Database from "better-sqlite3";
import type pg from "pg";
import type { Quote } from "./postgres.js";
import { promised } from "./promised.js";
import type { ExecutionDecision, ExecutionJournal, ToolExecution, ToolExecutionStart } from "./types.js";

/**
 * The execution journal of each store (see ExecutionJournal in types.ts). Every kind inserts the "started"
 * record only where none exists and tells the caller whether its insert won, so of two runs of the same
 * call exactly one runs it.
 */

export function createMemoryExecutionJournal(): ExecutionJournal {
  const executions = new Map<string, ToolExecution>();
  const key = (threadId: string, toolCallId: string): string => JSON.stringify([threadId, toolCallId]);
  return {
    start(execution) {
      const existing = executions.get(key(execution.threadId, execution.toolCallId));
      if (existing) return Promise.resolve({ ...existing });
      executions.set(key(execution.threadId, execution.toolCallId), begun(execution));
      return Promise.resolve(null);
    },
    get(threadId, toolCallId) {
      const execution = executions.get(key(threadId, toolCallId));
      return Promise.resolve(execution ? { ...execution } : null);
    },
    finish(threadId, toolCallId, ending) {
      const execution = executions.get(key(threadId, toolCallId));
      if (execution) Object.assign(execution, ending);
      return Promise.resolve();
    },
  };
}

function begun(execution: ToolExecutionStart): ToolExecution {
  return {
    ...execution,
    finishedAt: null,
    outcome: null,
    result: null,
    decision: execution.decision ?? null,
    reviewer: execution.reviewer ?? null,
  };
}

/** The table both SQL stores create; the primary key is what makes `start` atomic. */
export const executionsTableSql = (table: string, integer: string): string => `
  CREATE TABLE IF NOT EXISTS ${table} (
    thread_id TEXT NOT NULL, tool_call_id TEXT NOT NULL, tool TEXT NOT NULL, args_hash TEXT NOT NULL,
    started_at ${integer} NOT NULL, finished_at ${integer}, outcome TEXT, result TEXT,
    decision TEXT, reviewer TEXT, PRIMARY KEY (thread_id, tool_call_id));`;

interface ExecutionRow {
  thread_id: string;
  tool_call_id: string;
  tool: string;
  args_hash: string;
  started_at: number | string;
  finished_at: number | string | null;
  outcome: string | null;
  result: string | null;
  /** Absent from a table made by an earlier version, until it is upgraded. */
  decision?: string | null;
  reviewer?: string | null;
}

const executionDecisions: readonly string[] = ["allowed", "notified", "approved", "edited"];

function rowToExecution(row: ExecutionRow): ToolExecution {
  return {
    threadId: row.thread_id,
    toolCallId: row.tool_call_id,
    tool: row.tool,
    argsHash: row.args_hash,
    startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    outcome: row.outcome === "ok" || row.outcome === "error" ? row.outcome : null,
    result: row.result,
    decision: executionDecisions.includes(row.decision ?? "") ? (row.decision as ExecutionDecision) : null,
    reviewer: row.reviewer ?? null,
  };
}

function startValues(execution: ToolExecutionStart): unknown[] {
  const { threadId, toolCallId, tool, argsHash, startedAt, decision, reviewer } = execution;
  return [threadId, toolCallId, tool, argsHash, startedAt, decision ?? null, reviewer ?? null];
}

export function createSqliteExecutionJournal(db: Database.Database): ExecutionJournal {
  const insert = db.prepare(
    `INSERT INTO askfirst_executions (thread_id, tool_call_id, tool, args_hash, started_at, decision, reviewer)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const read = db.prepare("SELECT * FROM askfirst_executions WHERE thread_id = ? AND tool_call_id = ?");
  const update = db.prepare(
    `UPDATE askfirst_executions SET finished_at = ?, outcome = ?, result = ?
     WHERE thread_id = ? AND tool_call_id = ?`,
  );
  return {
    start: (execution) =>
      promised(() => {
        if (insert.run(...startValues(execution)).changes === 1) return null;
        return rowToExecution(read.get(execution.threadId, execution.toolCallId) as ExecutionRow);
      }),
    get: (threadId, toolCallId) =>
      promised(() => {
        const row = read.get(threadId, toolCallId) as ExecutionRow | undefined;
        return row ? rowToExecution(row) : null;
      }),
    finish: (threadId, toolCallId, ending) =>
      promised(() => void update.run(ending.finishedAt, ending.outcome, ending.result, threadId, toolCallId)),
  };
}

export function createPostgresExecutionJournal(pool: pg.Pool, q: Quote): ExecutionJournal {
  const table = q("askfirst_executions");
  const get = async (threadId: string, toolCallId: string): Promise<ToolExecution | null> => {
    const existing = await pool.query<ExecutionRow>(
      `SELECT * FROM ${table} WHERE thread_id = $1 AND tool_call_id = $2`,
      [threadId, toolCallId],
    );
    return existing.rows[0] ? rowToExecution(existing.rows[0]) : null;
  };
  return {
    async start(execution) {
      const inserted = await pool.query(
        `INSERT INTO ${table} (thread_id, tool_call_id, tool, args_hash, started_at, decision, reviewer)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        startValues(execution),
      );
      if (inserted.rowCount === 1) return null;
      return get(execution.threadId, execution.toolCallId);
    },
    get,
    async finish(threadId, toolCallId, ending) {
      await pool.query(
        `UPDATE ${table} SET finished_at = $1, outcome = $2, result = $3 WHERE thread_id = $4 AND tool_call_id = $5`,
        [ending.finishedAt, ending.outcome, ending.result, threadId, toolCallId],
      );
    },
  };
}
