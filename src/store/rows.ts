import type { ReviewRequest } from "../review/decisions.js";
import type { AuditEntry, AuditRecord, PendingReview, ThreadInfo } from "./types.js";

/**
 * How the SQL stores lay out queue, audit and thread rows, shared so SQLite and PostgreSQL read back the same
 * records. An audit row keeps its entry as JSON beside the columns it is looked up by; the columns win
 * when read back, so an edit to either is caught by the hash.
 */

export interface ReviewRow {
  thread_id: string;
  interrupt_id: string;
  acting_user: string;
  request: string;
  created_at: number | string;
  deadline: number | string | null;
  claimed_by: string | null;
  shown_to?: string | null;
  shown_at?: number | string | null;
}

export function reviewToRow(review: Omit<PendingReview, "claimedBy">): unknown[] {
  return [
    review.threadId,
    review.interruptId,
    review.actingUser,
    JSON.stringify(review.request),
    review.createdAt,
    review.deadline,
  ];
}

export function rowToReview(row: ReviewRow): PendingReview {
  return {
    threadId: row.thread_id,
    interruptId: row.interrupt_id,
    actingUser: row.acting_user,
    request: JSON.parse(row.request) as ReviewRequest,
    createdAt: Number(row.created_at),
    deadline: row.deadline === null ? null : Number(row.deadline),
    claimedBy: row.claimed_by,
    ...(row.shown_to && row.shown_at !== null && row.shown_at !== undefined
      ? { shownTo: { reviewer: row.shown_to, at: Number(row.shown_at) } }
      : {}),
  };
}

export interface AuditRow {
  seq: number | string;
  thread_id: string;
  tool_call_id: string;
  /** `auditEvent` of the entry: with the thread and call, what makes a record unique. */
  event: string;
  prev_hash: string;
  hash: string;
  entry: string;
}

/**
 * What one record of a call stands for: who decided what. A call gets one record per decision and
 * decider, so a node that runs again writes nothing twice, yet a decision whose run never reached its
 * checkpoint (the process died) does not hide the one that later settled the call: a rejection lost
 * that way and the approval that then ran the call are both on the trail.
 * The SQL stores compute the same text from stored entries: `auditEventSql`.
 */
export function auditEvent(entry: Pick<AuditEntry, "decision" | "reviewer">): string {
  return entry.reviewer === null ? entry.decision : `${entry.decision} by ${entry.reviewer}`;
}

/** `auditEvent` in SQL (SQLite and PostgreSQL), given the decision and the reviewer (or NULL). */
export const auditEventSql = (decision: string, reviewer: string): string =>
  `${decision} || COALESCE(' by ' || ${reviewer}, '')`;

export function recordToRow(record: AuditRecord): unknown[] {
  const { seq, prevHash, hash, ...entry } = record;
  return [seq, record.threadId, record.toolCallId, auditEvent(record), prevHash, hash, JSON.stringify(entry)];
}

export function rowToRecord(row: AuditRow): AuditRecord {
  const entry = JSON.parse(row.entry) as AuditEntry;
  return {
    ...entry,
    threadId: row.thread_id,
    toolCallId: row.tool_call_id,
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface ThreadRow {
  thread_id: string;
  acting_user: string;
  created_at: number | string;
  updated_at: number | string;
}

export function rowToThread(row: ThreadRow): ThreadInfo {
  return {
    threadId: row.thread_id,
    actingUser: row.acting_user,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
