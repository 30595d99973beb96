import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  computeRecordHash,
  digestMatches,
  genesisHash,
  keyedArgsDigest,
  newAuditKey,
  sealRecord,
  sha256,
  verifyChain,
} from "../../../src/store/auditChain.js";
import type { AuditRecord } from "../../../src/store/types.js";
import { sampleEntry } from "./harness.js";

function buildChain(length: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let index = 1; index <= length; index++)
    records.push(sealRecord(sampleEntry("t", `call-${index}`), records.at(-1) ?? null));
  return records;
}
const headOf = (records: AuditRecord[]) => ({
  seq: records.at(-1)?.seq ?? 0,
  hash: records.at(-1)?.hash ?? "",
});
const kinds = (records: AuditRecord[], head = headOf(records)) =>
  verifyChain(records, head).problems.map((problem) => `${problem.seq} ${problem.kind}`);

describe("canonical JSON and hashes", () => {
  it("gives the same text whatever the key order, at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe("arguments digests", () => {
  const digest = keyedArgsDigest(newAuditKey());

  it("are one per set of arguments, whatever the key order, and tell arguments apart", () => {
    expect(digest({ amount: 42, dish: "soup" })).toBe(digest({ dish: "soup", amount: 42 }));
    expect(digest({ amount: 42 })).not.toBe(digest({ amount: 43 }));
    expect(digest({ amount: 42 })).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  it("cannot be undone without the store's key: a 4-digit PIN is not found by trying them all", () => {
    const recorded = digest({ to: "ann", pin: "4821" });
    const tries = Array.from({ length: 10_000 }, (_, n) => ({ to: "ann", pin: String(n).padStart(4, "0") }));
    const plain = (args: unknown) => sha256(canonicalJson(args));
    const anotherKey = keyedArgsDigest(newAuditKey());
    expect(tries.filter((args) => [plain(args), anotherKey(args)].includes(recorded))).toEqual([]);
    expect(tries.filter((args) => digest(args) === recorded)).toEqual([{ to: "ann", pin: "4821" }]);
  });

  it("match the arguments they were made from, and a record written before keys by its plain sha256", () => {
    const args = { to: "ann", amount: 5 };
    expect(digestMatches(digest, digest(args), args)).toBe(true);
    expect(digestMatches(digest, digest(args), { to: "ann", amount: 6 })).toBe(false);
    expect(digestMatches(digest, sha256(canonicalJson(args)), args)).toBe(true);
    expect(digestMatches(digest, keyedArgsDigest(newAuditKey())(args), args)).toBe(false);
  });

  it("refuse a damaged key", () => {
    expect(() => keyedArgsDigest("not hex")).toThrow(/audit key is damaged/);
  });

  it("chains each record to the one before it, starting from the genesis hash", () => {
    const [first, second] = buildChain(2);
    expect(first?.seq).toBe(1);
    expect(first?.prevHash).toBe(genesisHash);
    expect(second?.prevHash).toBe(first?.hash);
    expect(computeRecordHash({ ...(second as AuditRecord) })).toBe(second?.hash);
  });
});

describe("verifyChain", () => {
  it("accepts an intact chain and an empty one", () => {
    const records = buildChain(5);
    expect(verifyChain(records, headOf(records))).toEqual({
      ok: true,
      count: 5,
      problems: [],
      head: headOf(records),
    });
    expect(verifyChain([], null)).toEqual({ ok: true, count: 0, problems: [], head: null });
  });

  it("names a record whose field was edited", () => {
    const records = buildChain(4);
    (records[1] as AuditRecord).decision = "rejected";
    expect(kinds(records)).toEqual(["2 edited"]);
  });

  it("names a record edited together with its hash, by the broken link of the next one", () => {
    const records = buildChain(4);
    const forged = { ...(records[1] as AuditRecord), reviewer: "mallory" };
    records[1] = { ...forged, hash: computeRecordHash(forged) };
    expect(kinds(records)).toEqual(["2 edited"]);
  });

  it("names deleted records in the middle and at the tail", () => {
    const records = buildChain(6);
    const head = headOf(records);
    records.splice(2, 1);
    records.pop();
    expect(kinds(records, head)).toEqual(["3 deleted", "6 deleted"]);
  });

  it("names a tail deleted together with the log's head", () => {
    const records = buildChain(7);
    records.pop();
    expect(verifyChain(records, null).problems).toEqual([
      {
        seq: 7,
        kind: "deleted",
        detail:
          "the log's head, which says where the trail ends, is missing: records from here on may be gone",
      },
    ]);
  });

  it("names a head rewound below records that follow it", () => {
    const records = buildChain(5);
    expect(kinds(records, { seq: 3, hash: (records[2] as AuditRecord).hash })).toEqual(["3 edited"]);
  });

  it("with a head kept elsewhere, names a tail cut with its head rewound, a trail emptied, and one sealed again", () => {
    const records = buildChain(7);
    const kept = { seq: 7, hash: (records[6] as AuditRecord).hash.slice(0, 32) };
    expect(verifyChain(records, headOf(records), kept).ok).toBe(true);
    const cut = records.slice(0, 6);
    expect(verifyChain(cut, headOf(cut)).ok).toBe(true);
    expect(kinds(cut, headOf(cut)).length).toBe(0);
    expect(verifyChain(cut, headOf(cut), kept).problems).toEqual([
      {
        seq: 7,
        kind: "deleted",
        detail: "the head you kept (--expect-head) is gone: the trail was cut short",
      },
    ]);
    expect(verifyChain([], null, kept).problems.map((problem) => problem.kind)).toEqual(["deleted"]);
    const resealed: AuditRecord[] = [];
    for (const record of records) {
      const { seq: _seq, prevHash: _prev, hash: _hash, ...entry } = record;
      resealed.push(sealRecord({ ...entry, reviewer: "mallory" }, resealed.at(-1) ?? null));
    }
    expect(verifyChain(resealed, headOf(resealed)).ok).toBe(true);
    expect(verifyChain(resealed, headOf(resealed), kept).problems).toEqual([
      {
        seq: 7,
        kind: "edited",
        detail: "its hash is not the head you kept (--expect-head): the trail was rewritten and sealed again",
      },
    ]);
  });

  it("names both records of a swap as reordered, each with where it belongs", () => {
    const records = buildChain(5);
    const [third, fourth] = [records[2] as AuditRecord, records[3] as AuditRecord];
    [third.seq, fourth.seq] = [4, 3];
    const result = verifyChain(records, headOf(records));
    expect(result.problems).toEqual([
      { seq: 3, kind: "reordered", detail: "this record belongs at seq 4" },
      { seq: 4, kind: "reordered", detail: "this record belongs at seq 3" },
    ]);
  });
});
