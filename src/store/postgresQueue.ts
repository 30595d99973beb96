import type pg from "pg";
import { currentClaimOwner, isClaimStale } from "./claims.js";
import type { Quote } from "./postgres.js";
import type { PostgresQueueUpkeep } from "./postgresSaver.js";
import { reviewToRow, rowToReview, type ReviewRow } from "./rows.js";
import type { ReviewQueue } from "./types.js";

interface ClaimRow {
  claimed_by: string | null;
  claimed_at: string | null;
  claim_owner: string | null;
}

export function createPostgresQueue(pool: pg.Pool, q: Quote, clock: () => number): ReviewQueue {
  const table = q("askfirst_reviews");
  const where = "thread_id = $1 AND interrupt_id = $2";
  return {
    async put(review) {
      await pool.query(
        `INSERT INTO ${table} (thread_id, interrupt_id, acting_user, request, created_at, deadline)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        reviewToRow(review),
      );
    },
    async list() {
      const result = await pool.query<ReviewRow>(`SELECT * FROM ${table} ORDER BY created_at, thread_id`);
      return result.rows.map(rowToReview);
    },
    async get(threadId) {
      const result = await pool.query<ReviewRow>(
        `SELECT * FROM ${table} WHERE thread_id = $1 ORDER BY created_at DESC LIMIT 1`,
        [threadId],
      );
      return result.rows[0] ? rowToReview(result.rows[0]) : null;
    },
    claim: (threadId, interruptId, reviewer) =>
      claimReview(pool, table, clock, [threadId, interruptId, reviewer]),
    async show(threadId, interruptId, reviewer) {
      await pool.query(`UPDATE ${table} SET shown_to = $3, shown_at = $4 WHERE ${where}`, [
        threadId,
        interruptId,
        reviewer,
        clock(),
      ]);
    },
    async hide(threadId, interruptId, reviewer) {
      await pool.query(
        `UPDATE ${table} SET shown_to = NULL, shown_at = NULL WHERE ${where} AND shown_to = $3`,
        [threadId, interruptId, reviewer],
      );
    },
    async release(threadId, interruptId) {
      await pool.query(
        `UPDATE ${table} SET claimed_by = NULL, claimed_at = NULL, claim_owner = NULL WHERE ${where}`,
        [threadId, interruptId],
      );
    },
    async removeStale(threadId, current) {
      await pool.query(`DELETE FROM ${table} WHERE thread_id = $1 AND interrupt_id IS DISTINCT FROM $2`, [
        threadId,
        current,
      ]);
    },
  };
}

/**
 * What the checkpointer does to the queue as it writes (queueing.ts), on its connection: the reviews go in,
 * then the thread's reviews of other checkpoints leave. A review already queued keeps its claim.
 */
export function createPostgresQueueUpkeep(q: Quote): PostgresQueueUpkeep {
  const table = q("askfirst_reviews");
  return {
    async record(client, threadId, checkpointId, reviews) {
      for (const review of reviews)
        await client.query(
          `INSERT INTO ${table} (thread_id, interrupt_id, acting_user, request, created_at, deadline, checkpoint_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (thread_id, interrupt_id) DO UPDATE SET checkpoint_id = excluded.checkpoint_id`,
          [...reviewToRow(review), checkpointId],
        );
      await client.query(`DELETE FROM ${table} WHERE thread_id = $1 AND checkpoint_id IS DISTINCT FROM $2`, [
        threadId,
        checkpointId,
      ]);
    },
  };
}

/**
 * Takes a free claim, or a stale one (see claims.ts). Under READ COMMITTED a second UPDATE waits for the
 * first and re-checks its condition, so of two reviewers exactly one wins either way.
 */
async function claimReview(
  pool: pg.Pool,
  table: string,
  clock: () => number,
  [threadId, interruptId, reviewer]: [string, string, string],
): Promise<boolean> {
  const now = clock();
  const owner = currentClaimOwner();
  const set = `UPDATE ${table} SET claimed_by = $3, claimed_at = $4, claim_owner = $5 WHERE thread_id = $1 AND interrupt_id = $2`;
  const values = [threadId, interruptId, reviewer, now, owner];
  const free = await pool.query(`${set} AND claimed_by IS NULL`, values);
  if (free.rowCount === 1) return true;
  const held = await pool.query<ClaimRow>(
    `SELECT claimed_by, claimed_at, claim_owner FROM ${table} WHERE thread_id = $1 AND interrupt_id = $2`,
    [threadId, interruptId],
  );
  const row = held.rows[0];
  const claimedAt = row?.claimed_at === null || row === undefined ? null : Number(row.claimed_at);
  if (!row || !isClaimStale({ owner: row.claim_owner, claimedAt }, now)) return false;
  const swapped = await pool.query(
    `${set} AND claimed_by IS NOT DISTINCT FROM $6 AND claimed_at IS NOT DISTINCT FROM $7
       AND claim_owner IS NOT DISTINCT FROM $8`,
    [...values, row.claimed_by, row.claimed_at, row.claim_owner],
  );
  return swapped.rowCount === 1;
}
