import type { StoredMessage } from "@langchain/core/messages";
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
  claim_owner?: string | null;
  claimed_at?: number | string | null;
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

/**
 * The JSON object a column holds, or why it cannot be read: one damaged row is shown as such, and never
 * takes the rows beside it down with it.
 */
function parseObject(
  text: string,
  what: string,
): { value: Record<string, unknown> } | { unreadable: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { unreadable: `its stored ${what} is not valid JSON` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { unreadable: `its stored ${what} is not a JSON object` };
  return { value: value as Record<string, unknown> };
}

/** What a transcript row that cannot be read is shown as: the rest of the thread still reads. */
const damagedMessageText = "a message here is damaged in the store and cannot be shown";

/** A transcript row as a message; one whose stored JSON is damaged stands in as a system note saying so. */
export function rowToMessage(text: string): StoredMessage {
  const parsed = parseObject(text, "message");
  if ("value" in parsed && typeof parsed.value.type === "string" && typeof parsed.value.data === "object")
    return parsed.value as unknown as StoredMessage;
  return {
    type: "system",
    data: { content: damagedMessageText, role: undefined, name: undefined, tool_call_id: undefined },
  };
}

/** A review whose stored request cannot be read comes back with no calls and `unreadable` saying why. */
export function rowToReview(row: ReviewRow): PendingReview {
  const createdAt = Number(row.created_at);
  const deadline = row.deadline === null ? null : Number(row.deadline);
  let parsed = parseObject(row.request, "request");
  if ("value" in parsed && !Array.isArray(parsed.value.actionRequests))
    parsed = { unreadable: "its stored request has no calls" };
  return {
    threadId: row.thread_id,
    interruptId: row.interrupt_id,
    actingUser: row.acting_user,
    request:
      "value" in parsed
        ? (parsed.value as ReviewRequest)
        : {
            actionRequests: [],
            reviewConfigs: [],
            context: { actingUser: row.acting_user, actions: [], requestedAt: createdAt, deadline },
          },
    ...("unreadable" in parsed ? { unreadable: parsed.unreadable } : {}),
    createdAt,
    deadline,
    claimedBy: row.claimed_by,
    ...(row.claimed_by !== null && row.claim_owner !== undefined
      ? {
          claim: {
            owner: row.claim_owner,
            claimedAt:
              row.claimed_at === null || row.claimed_at === undefined ? null : Number(row.claimed_at),
          },
        }
      : {}),
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

/**
 * A record whose stored entry cannot be read keeps its columns (seq, thread, call, hashes) and says why in
 * `unreadable`; it then never hashes as sealed, so verifying names it as edited.
 */
export function rowToRecord(row: AuditRow): AuditRecord {
  const parsed = parseObject(row.entry, "entry");
  const entry =
    "value" in parsed ? (parsed.value as unknown as AuditEntry) : unreadableEntry(parsed.unreadable);
  return {
    ...entry,
    threadId: row.thread_id,
    toolCallId: row.tool_call_id,
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function unreadableEntry(
  reason: string,
): Omit<AuditEntry, "threadId" | "toolCallId"> & { unreadable: string } {
  return {
    time: "",
    interruptId: null,
    actingUser: "",
    reviewer: null,
    tool: "",
    server: "",
    args: {},
    argsHash: "",
    tier: "confirm",
    rule: "",
    decision: "rejected",
    decideMs: null,
    outcome: "not_run",
    error: null,
    executedArgsHash: null,
    unreadable: reason,
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
