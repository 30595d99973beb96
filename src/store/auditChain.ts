import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { AuditEntry, AuditProblem, AuditRecord } from "./types.js";

/**
 * The hash chain every store's audit log shares: `hash = sha256(prevHash + canonical(record without hash))`,
 * where the record includes its own `seq` and `prevHash`. Stores only persist records; this module decides
 * what a valid chain is, so memory, SQLite and PostgreSQL agree byte for byte.
 */

/** The prevHash of the first record. */
export const genesisHash = "0".repeat(64);

/** JSON with object keys sorted at every depth and no whitespace: one text per value, whatever built it. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    // JSON.stringify drops undefined members; drop them here too so the hash ignores them the same way.
    if (child !== undefined) sorted[key] = sortKeys(child);
  }
  return sorted;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Digests a tool call's exact (unmasked) arguments: the `argsHash` / `executedArgsHash` of an audit record,
 * and the execution journal's `argsHash`. It is keyed with the store's own secret (see `newAuditKey`), so a
 * record shows which arguments were asked for and ran without revealing them: a plain hash of
 * `{"pin":"4821"}` is undone by trying all 10,000 PINs, a keyed one only by someone holding the key, which
 * lives in the store beside the records and is never part of them or of `audit --json`.
 */
export type ArgsDigest = (args: unknown) => string;

/** Marks a keyed digest. Records written before digests were keyed carry bare sha256 hex. */
const keyedPrefix = "hmac-sha256:";

/** A new store's audit key: 32 random bytes, as hex. */
export function newAuditKey(): string {
  return randomBytes(32).toString("hex");
}

export function keyedArgsDigest(keyHex: string): ArgsDigest {
  if (!/^[0-9a-f]{64}$/.test(keyHex))
    throw new Error("the store's audit key is damaged: expected 64 hex digits");
  const key = Buffer.from(keyHex, "hex");
  return (args) =>
    keyedPrefix +
    createHmac("sha256", key)
      .update(canonicalJson(args ?? {}))
      .digest("hex");
}

/**
 * Whether `args` are exactly the arguments a record's digest was made from: keyed with this store's key,
 * or, for a record written before digests were keyed, plain sha256.
 */
export function digestMatches(digest: ArgsDigest, recorded: string, args: unknown): boolean {
  const expected = recorded.startsWith(keyedPrefix) ? digest(args) : sha256(canonicalJson(args ?? {}));
  const a = Buffer.from(expected);
  const b = Buffer.from(recorded);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The hash a record must carry, given its contents, its seq and the hash of the record before it. */
export function computeRecordHash(record: Omit<AuditRecord, "hash">): string {
  const { hash: _ignored, ...body } = record as AuditRecord;
  return sha256(record.prevHash + canonicalJson(body));
}

/** Seals an entry as the next record of a chain whose last record is `head` (null for an empty chain). */
export function sealRecord(entry: AuditEntry, head: { seq: number; hash: string } | null): AuditRecord {
  const body = { ...entry, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? genesisHash };
  return { ...body, hash: computeRecordHash(body) };
}

/** What the log says its last record is, kept apart from the records so a deleted tail is noticed. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** What verifying found, and the head the log stores (null when it has none): `audit --verify` prints it. */
export interface AuditVerification {
  ok: boolean;
  count: number;
  problems: AuditProblem[];
  head: ChainHead | null;
}

/**
 * Walks records (any order; sorted here by their stored seq) and names each edited, deleted or reordered
 * one. A record whose contents hash correctly only at another position is reordered; one whose contents
 * hash nowhere is edited; a position no record occupies up to the head is deleted. The head row is checked
 * too, but whoever can write the store can cut its tail and rewind the head, or rewrite and seal it again
 * (the hash is unkeyed): `anchor`, a head kept outside the store (its hash may be cut short), catches those.
 */
export function verifyChain(
  records: readonly AuditRecord[],
  head: ChainHead | null,
  anchor: ChainHead | null = null,
): AuditVerification {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const originalSeq = findOriginalSeqs(sorted);
  const problems: AuditProblem[] = [];
  const occupied = new Set<number>();
  for (const record of sorted) {
    const original = originalSeq.get(record);
    if (original === undefined) {
      const detail = record.unreadable ?? "its contents do not match its hash";
      problems.push({ seq: record.seq, kind: "edited", detail });
      occupied.add(record.seq);
    } else if (original !== record.seq) {
      problems.push({ seq: record.seq, kind: "reordered", detail: `this record belongs at seq ${original}` });
      occupied.add(original);
    } else occupied.add(record.seq);
  }
  problems.push(...findBrokenLinks(sorted, originalSeq));
  const lastSeq = Math.max(head?.seq ?? 0, ...occupied);
  for (let seq = 1; seq <= lastSeq; seq++) {
    if (!occupied.has(seq)) problems.push({ seq, kind: "deleted", detail: "no record holds this seq" });
  }
  problems.push(...checkHead(sorted, originalSeq, head, lastSeq));
  if (anchor) problems.push(...checkAnchor(sorted, anchor));
  problems.sort((a, b) => a.seq - b.seq || a.kind.localeCompare(b.kind));
  return { ok: problems.length === 0, count: records.length, problems, head };
}

/**
 * The head is written with every record: records without one, or past it, mean it was deleted or
 * rewound, along with what followed it.
 */
function checkHead(
  sorted: readonly AuditRecord[],
  originalSeq: Map<AuditRecord, number>,
  head: ChainHead | null,
  lastSeq: number,
): AuditProblem[] {
  if (sorted.length === 0) return [];
  if (!head)
    return [
      {
        seq: lastSeq + 1,
        kind: "deleted",
        detail:
          "the log's head, which says where the trail ends, is missing: records from here on may be gone",
      },
    ];
  if (head.seq < lastSeq)
    return [
      {
        seq: head.seq,
        kind: "edited",
        detail: `the log's head says the trail ends here, yet records follow up to seq ${lastSeq}`,
      },
    ];
  const last = sorted.find((record) => originalSeq.get(record) === head.seq);
  if (last && last.hash !== head.hash)
    return [{ seq: head.seq, kind: "edited", detail: "the log's head hash does not match this record" }];
  return [];
}

/** The trail must still hold the head kept outside the store, unchanged. */
function checkAnchor(sorted: readonly AuditRecord[], anchor: ChainHead): AuditProblem[] {
  const kept = sorted.find((record) => record.seq === anchor.seq);
  if (!kept)
    return [
      {
        seq: anchor.seq,
        kind: "deleted",
        detail: "the head you kept (--expect-head) is gone: the trail was cut short",
      },
    ];
  if (!kept.hash.startsWith(anchor.hash.toLowerCase()))
    return [
      {
        seq: anchor.seq,
        kind: "edited",
        detail: "its hash is not the head you kept (--expect-head): the trail was rewritten and sealed again",
      },
    ];
  return [];
}

/**
 * For each record whose contents are intact, the seq it was sealed at. A record sealed at its stored seq
 * hashes as it is; a moved one is placed by following its prevHash back to an intact predecessor.
 */
function findOriginalSeqs(sorted: readonly AuditRecord[]): Map<AuditRecord, number> {
  const result = new Map<AuditRecord, number>();
  const byHash = new Map<string, AuditRecord>();
  for (const record of sorted) {
    byHash.set(record.hash, record);
    if (computeRecordHash(record) === record.hash) result.set(record, record.seq);
  }
  for (const record of sorted) {
    if (result.has(record)) continue;
    const path: AuditRecord[] = [];
    let current: AuditRecord | undefined = record;
    let base = 0;
    while (current && !result.has(current) && !path.includes(current)) {
      path.push(current);
      if (current.prevHash === genesisHash) break;
      current = byHash.get(current.prevHash);
    }
    if (current && result.has(current) && !path.includes(current)) base = result.get(current) ?? 0;
    else if (path.at(-1)?.prevHash !== genesisHash) continue;
    for (let index = path.length - 1, seq = base + 1; index >= 0; index--, seq++) {
      const candidate = path[index] as AuditRecord;
      if (computeRecordHash({ ...candidate, seq }) !== candidate.hash) break;
      result.set(candidate, seq);
    }
  }
  return result;
}

/**
 * An intact record whose prevHash is not the hash of the intact record sealed just before it: that
 * predecessor was rewritten together with its hash.
 */
function findBrokenLinks(
  sorted: readonly AuditRecord[],
  originalSeq: Map<AuditRecord, number>,
): AuditProblem[] {
  const bySeq = new Map<number, AuditRecord>();
  for (const record of sorted) bySeq.set(originalSeq.get(record) ?? record.seq, record);
  const problems: AuditProblem[] = [];
  for (const [seq, record] of bySeq) {
    if (!originalSeq.has(record)) continue;
    const previous = seq === 1 ? null : bySeq.get(seq - 1);
    if (previous === undefined) continue;
    const expected = previous === null ? genesisHash : previous.hash;
    if (record.prevHash === expected) continue;
    if (previous !== null && originalSeq.has(previous))
      problems.push({
        seq: seq - 1,
        kind: "edited",
        detail: `its hash was rewritten; seq ${seq} no longer links to it`,
      });
  }
  return problems;
}
