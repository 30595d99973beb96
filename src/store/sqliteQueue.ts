import type Database from "better-sqlite3";
import { currentClaimOwner, isClaimStale } from "./claims.js";
import { promised } from "./promised.js";
import { reviewToRow, rowToReview, type ReviewRow } from "./rows.js";
import type { SqliteQueueUpkeep } from "./sqliteSaver.js";
import type { ReviewQueue } from "./types.js";

type Db = Database.Database;

interface ClaimRow {
  claimed_by: string | null;
  claimed_at: number | null;
  claim_owner: string | null;
}

export function createSqliteQueue(db: Db, clock: () => number): ReviewQueue {
  const insert = db.prepare(
    `INSERT INTO askfirst_reviews (thread_id, interrupt_id, acting_user, request, created_at, deadline)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const listAll = db.prepare("SELECT * FROM askfirst_reviews ORDER BY created_at, thread_id");
  const getLatest = db.prepare(
    "SELECT * FROM askfirst_reviews WHERE thread_id = ? ORDER BY created_at DESC LIMIT 1",
  );
  const key = "thread_id = ? AND interrupt_id = ?";
  const claim = prepareClaim(db, clock);
  const release = db.prepare(
    `UPDATE askfirst_reviews SET claimed_by = NULL, claimed_at = NULL, claim_owner = NULL WHERE ${key}`,
  );
  const show = db.prepare(`UPDATE askfirst_reviews SET shown_to = ?, shown_at = ? WHERE ${key}`);
  const hide = db.prepare(
    `UPDATE askfirst_reviews SET shown_to = NULL, shown_at = NULL WHERE ${key} AND shown_to = ?`,
  );
  const removeStale = db.prepare(
    "DELETE FROM askfirst_reviews WHERE thread_id = ? AND interrupt_id IS NOT ?",
  );
  return {
    put: (review) => promised(() => void insert.run(...reviewToRow(review))),
    list: () => promised(() => (listAll.all() as ReviewRow[]).map(rowToReview)),
    get: (threadId) =>
      promised(() => {
        const row = getLatest.get(threadId) as ReviewRow | undefined;
        return row ? rowToReview(row) : null;
      }),
    claim: (threadId, interruptId, reviewer) => promised(() => claim(threadId, interruptId, reviewer)),
    show: (threadId, interruptId, reviewer) =>
      promised(() => void show.run(reviewer, clock(), threadId, interruptId)),
    hide: (threadId, interruptId, reviewer) => promised(() => void hide.run(threadId, interruptId, reviewer)),
    release: (threadId, interruptId) => promised(() => void release.run(threadId, interruptId)),
    removeStale: (threadId, current) => promised(() => void removeStale.run(threadId, current)),
  };
}

/**
 * What the checkpointer does to the queue as it writes (queueing.ts), inside its transaction. A review
 * already queued (by an answerer, or by an earlier write of the same interrupt) keeps its claim and is
 * tied to the checkpoint it was recorded with.
 */
export function createSqliteQueueUpkeep(db: Db): SqliteQueueUpkeep {
  const record = db.prepare(
    `INSERT INTO askfirst_reviews (thread_id, interrupt_id, acting_user, request, created_at, deadline, checkpoint_id)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (thread_id, interrupt_id) DO UPDATE SET checkpoint_id = excluded.checkpoint_id`,
  );
  const superseded = db.prepare(
    "DELETE FROM askfirst_reviews WHERE thread_id = ? AND checkpoint_id IS NOT ?",
  );
  return {
    record(threadId, checkpointId, reviews) {
      for (const review of reviews) record.run(...reviewToRow(review), checkpointId);
      superseded.run(threadId, checkpointId);
    },
  };
}

/** Takes a review's claim: a free one, or a stale one (see claims.ts) by compare-and-swap. */
function prepareClaim(db: Db, clock: () => number) {
  const key = "thread_id = ? AND interrupt_id = ?";
  const setClaim = "UPDATE askfirst_reviews SET claimed_by = ?, claimed_at = ?, claim_owner = ?";
  const claimFree = db.prepare(`${setClaim} WHERE ${key} AND claimed_by IS NULL`);
  const readClaim = db.prepare(
    `SELECT claimed_by, claimed_at, claim_owner FROM askfirst_reviews WHERE ${key}`,
  );
  // Compare-and-swap: of two reviewers taking over the same stale claim, one matches and one does not.
  const takeOver = db.prepare(
    `${setClaim} WHERE ${key} AND claimed_by IS ? AND claimed_at IS ? AND claim_owner IS ?`,
  );
  return (threadId: string, interruptId: string, reviewer: string): boolean => {
    const now = clock();
    const owner = currentClaimOwner();
    if (claimFree.run(reviewer, now, owner, threadId, interruptId).changes === 1) return true;
    const held = readClaim.get(threadId, interruptId) as ClaimRow | undefined;
    if (!held || !isClaimStale({ owner: held.claim_owner, claimedAt: held.claimed_at }, now)) return false;
    const args = [held.claimed_by, held.claimed_at, held.claim_owner];
    return takeOver.run(reviewer, now, owner, threadId, interruptId, ...args).changes === 1;
  };
}
