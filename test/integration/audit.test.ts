import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson, sha256 } from "../../src/store/auditChain.js";
import { openStore } from "../../src/store/open.js";
import type { AuditRecord } from "../../src/store/types.js";
import { runCli } from "../helpers/cli.js";
import { sampleEntry } from "../unit/store/harness.js";

describe("askfirst audit", () => {
  let folder: string;
  let spec: string;
  const dbPath = () => join(folder, "store.db");

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "askfirst-audit-"));
    spec = `sqlite:${dbPath()}`;
    const store = await openStore(spec, { cwd: folder, checkpointer: false });
    await store.audit.append(sampleEntry("kitchen", "call-1"));
    await store.audit.append(
      sampleEntry("kitchen", "call-2", { decision: "rejected", outcome: "not_run", executedArgsHash: null }),
    );
    await store.audit.append(
      sampleEntry("garage", "call-1", { decision: "allowed", reviewer: null, decideMs: null }),
    );
    await store.audit.append(sampleEntry("kitchen", "call-3", { decision: "timed_out", outcome: "not_run" }));
    await store.close();
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("lists every record with its decision, reviewer and outcome", async () => {
    const result = await runCli(["audit", "--store", spec]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^#1 {2}2026-11-21T10:00:00.000Z {2}thread kitchen {2}as joe {2}order_dish on askfirst$/m,
    );
    expect(result.stdout).toContain(
      "confirm (rule 4 (order_dish above 30)): approved by mom after 1s; ran ok",
    );
    expect(result.stdout).toContain("rejected by mom after 1s; did not run");
    expect(result.stdout).toMatch(/#3 .* thread garage/);
  });

  it("filters by thread and prints JSON records with their hashes", async () => {
    const result = await runCli(["audit", "--thread", "kitchen", "--json"], {
      env: { ASKFIRST_STORE: spec },
    });
    expect(result.code).toBe(0);
    const records = JSON.parse(result.stdout) as AuditRecord[];
    expect(records.map((record) => [record.seq, record.decision])).toEqual([
      [1, "approved"],
      [2, "rejected"],
      [4, "timed_out"],
    ]);
    expect(records[1]?.prevHash).toBe(records[0]?.hash);
  });

  it("says the chain is intact and exits 0, printing its head to keep elsewhere", async () => {
    const result = await runCli(["audit", "--verify", "--store", spec]);
    expect(result.code).toBe(0);
    const head = await storedHead(dbPath());
    const short = `4:${head.slice(0, 32)}`;
    expect(result.stdout).toBe(
      `The audit trail is intact: 4 records, hash chain verified.\nHead: ${short}  (keep it elsewhere: askfirst audit --verify --expect-head ${short} fails if the trail is later cut short or rewritten)\n`,
    );
    const json = JSON.parse((await runCli(["audit", "--verify", "--json", "--store", spec])).stdout) as {
      head: unknown;
    };
    expect(json.head).toEqual({ seq: 4, hash: head });
    const kept = await runCli(["audit", "--verify", "--expect-head", short, "--store", spec]);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain(`hash chain verified, and it still holds the head you kept (${short}).`);
  });

  it("exits 1 naming each edited, deleted or reordered record", async () => {
    const db = new Database(dbPath());
    db.prepare(
      "UPDATE askfirst_audit SET entry = json_set(entry, '$.reviewer', 'mallory') WHERE seq = 1",
    ).run();
    db.prepare("DELETE FROM askfirst_audit WHERE seq = 4").run();
    db.close();
    const result = await runCli(["audit", "--verify", "--store", spec]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("seq 1: edited (its contents do not match its hash)");
    expect(result.stdout).toContain("seq 4: deleted (no record holds this seq)");
    expect(result.stderr).toBe("askfirst: the audit trail failed verification: 2 problems\n");
    const json = await runCli(["audit", "--verify", "--json", "--store", spec]);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as { ok: boolean }).ok).toBe(false);
  });
});

async function storedHead(path: string): Promise<string> {
  const db = new Database(path, { readonly: true });
  const row = db.prepare("SELECT hash FROM askfirst_audit_head").get() as { hash: string };
  db.close();
  return Promise.resolve(row.hash);
}

describe("askfirst audit --verify after the trail is cut short", () => {
  let folder: string;
  let spec: string;
  let short: string;
  const sql = (statement: string) => {
    const db = new Database(join(folder, "store.db"));
    db.exec(statement);
    db.close();
  };

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), "askfirst-audit-cut-"));
    spec = `sqlite:${join(folder, "store.db")}`;
    const store = await openStore(spec, { cwd: folder, checkpointer: false });
    for (let call = 1; call <= 7; call++) await store.audit.append(sampleEntry("kitchen", `call-${call}`));
    await store.close();
    short = `7:${(await storedHead(join(folder, "store.db"))).slice(0, 32)}`;
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it("exits 1 when the last record went with the log's head", async () => {
    sql("DELETE FROM askfirst_audit WHERE seq = 7; DELETE FROM askfirst_audit_head");
    const result = await runCli(["audit", "--verify", "--store", spec]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "seq 7: deleted (the log's head, which says where the trail ends, is missing: records from here on may be gone)",
    );
  });

  it("with the head kept elsewhere, exits 1 when the tail was cut and the head rewound, or all was deleted", async () => {
    sql(
      "DELETE FROM askfirst_audit WHERE seq = 7; UPDATE askfirst_audit_head SET seq = 6, hash = (SELECT hash FROM askfirst_audit WHERE seq = 6)",
    );
    expect((await runCli(["audit", "--verify", "--store", spec])).code).toBe(0);
    const rewound = await runCli(["audit", "--verify", "--expect-head", short, "--store", spec]);
    expect(rewound.code).toBe(1);
    expect(rewound.stdout).toContain(
      "seq 7: deleted (the head you kept (--expect-head) is gone: the trail was cut short)",
    );
    sql("DELETE FROM askfirst_audit; DELETE FROM askfirst_audit_head");
    const emptied = await runCli(["audit", "--verify", "--json", "--expect-head", short, "--store", spec]);
    expect(emptied.code).toBe(1);
    expect(JSON.parse(emptied.stdout)).toMatchObject({ ok: false, count: 0, head: null });
  });

  it("refuses an --expect-head it cannot read, or without --verify (exit 2)", async () => {
    const bad = await runCli(["audit", "--verify", "--expect-head", "7:abc", "--store", spec]);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'askfirst: --expect-head needs the head askfirst audit --verify printed, <seq>:<hash> with at least 16 hex digits, not "7:abc"\n',
    ]);
    const alone = await runCli(["audit", "--expect-head", short, "--store", spec]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--expect-head goes with --verify/);
  });
});

describe("askfirst audit with a record whose stored entry is damaged", () => {
  let folder: string;
  let spec: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "askfirst-audit-damaged-"));
    spec = `sqlite:${join(folder, "store.db")}`;
    const store = await openStore(spec, { cwd: folder, checkpointer: false });
    for (const call of ["call-1", "call-2", "call-3"]) await store.audit.append(sampleEntry("kitchen", call));
    await store.close();
    const db = new Database(join(folder, "store.db"));
    db.prepare("UPDATE askfirst_audit SET entry = 'not json' WHERE seq = 1").run();
    db.prepare("UPDATE askfirst_audit SET entry = '[1, 2]' WHERE seq = 2").run();
    db.close();
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("lists it as unreadable, and every other record", async () => {
    const result = await runCli(["audit", "--store", spec]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "#1  thread kitchen  call call-1: unreadable (its stored entry is not valid JSON)",
    );
    expect(result.stdout).toContain(
      "#2  thread kitchen  call call-2: unreadable (its stored entry is not a JSON object)",
    );
    expect(result.stdout).toMatch(/^#3 {2}2026-11-21T10:00:00.000Z {2}thread kitchen/m);
    const json = await runCli(["audit", "--json", "--store", spec]);
    const records = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(records[0]).toEqual({
      seq: 1,
      threadId: "kitchen",
      toolCallId: "call-1",
      prevHash: expect.any(String) as string,
      hash: expect.any(String) as string,
      unreadable: "its stored entry is not valid JSON",
    });
    expect(records[2]).toMatchObject({ seq: 3, decision: "approved", reviewer: "mom" });
  });

  it("--verify names it as edited, and nothing else", async () => {
    const result = await runCli(["audit", "--verify", "--store", spec]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        "The audit trail has been tampered with: 2 problems in 3 records",
        "  seq 1: edited (its stored entry is not valid JSON)",
        "  seq 2: edited (its stored entry is not a JSON object)",
        "",
      ].join("\n"),
    );
  });
});

describe("askfirst audit --match-args", () => {
  let folder: string;
  let spec: string;
  const asked = { to: "ann", pin: "4821" };
  const ran = { to: "ann", pin: "4821", amount: 3 };
  const older = { to: "bob", amount: 1 };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "askfirst-audit-match-"));
    spec = `sqlite:${join(folder, "store.db")}`;
    const store = await openStore(spec, { cwd: folder, checkpointer: false });
    const digest = store.audit.digestArgs;
    await store.audit.append(
      sampleEntry("bank", "call-1", {
        args: { to: "ann", pin: "***" },
        argsHash: digest(asked),
        decision: "edited",
        executedArgsHash: digest(ran),
      }),
    );
    await store.audit.append(
      sampleEntry("bank", "call-2", { decision: "rejected", outcome: "not_run", executedArgsHash: null }),
    );
    // A record written before digests were keyed carries the plain sha256 of the arguments.
    const plain = sha256(canonicalJson(older));
    await store.audit.append(sampleEntry("bank", "call-3", { argsHash: plain, executedArgsHash: plain }));
    await store.close();
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const match = (seq: string, args: unknown, ...more: string[]) =>
    runCli(["audit", "--store", spec, "--seq", seq, "--match-args", JSON.stringify(args), ...more]);

  it("says, in another process than the one that wrote them, which arguments were asked for and which ran", async () => {
    const both = await match("1", asked);
    expect(both.code).toBe(0);
    expect(both.stdout).toBe(
      "#1 order_dish: these are the arguments asked for; they are not the arguments that ran.\n",
    );
    expect(JSON.parse((await match("1", ran, "--json")).stdout)).toEqual({ seq: 1, asked: false, ran: true });
    expect(JSON.parse((await match("3", older, "--json")).stdout)).toEqual({
      seq: 3,
      asked: true,
      ran: true,
    });
  });

  it("exits 1 when the arguments are neither, and never prints the store's key", async () => {
    const wrong = await match("1", { to: "ann", pin: "0000" });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe(
      "#1 order_dish: these are not the arguments asked for; they are not the arguments that ran.\n",
    );
    expect(wrong.stderr).toBe("askfirst: those are not the arguments of audit record #1\n");
    const db = new Database(join(folder, "store.db"), { readonly: true });
    const { value: key } = db.prepare("SELECT value FROM askfirst_keys WHERE name = 'audit'").get() as {
      value: string;
    };
    db.close();
    const listed = await runCli(["audit", "--store", spec, "--json"]);
    expect(listed.stdout).not.toContain(key);
    expect(listed.stdout).toContain('"argsHash": "hmac-sha256:');
    expect((await runCli(["audit", "--store", spec])).stdout).toMatch(
      /args \{"to":"ann","pin":"\*\*\*"\} {2}hmac-sha256 [0-9a-f]{16}$/m,
    );
  });

  it("refuses a bad question with exit 2, naming what was wrong", async () => {
    const noSeq = await runCli(["audit", "--store", spec, "--match-args", "{}"]);
    expect([noSeq.code, noSeq.stderr]).toEqual([
      2,
      "askfirst: --match-args needs --seq <n>: the record whose arguments to check\n",
    ]);
    const badSeq = await match("first", asked);
    expect([badSeq.code, badSeq.stderr]).toEqual([
      2,
      'askfirst: --seq needs a record number (1, 2, ...), not "first"\n',
    ]);
    const badJson = await runCli(["audit", "--store", spec, "--seq", "1", "--match-args", "{to: ann}"]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/--match-args needs the arguments as a JSON object/);
    const missing = await match("9", asked);
    expect([missing.code, missing.stderr]).toEqual([2, "askfirst: there is no audit record #9\n"]);
  });

  it("--seq alone shows that record", async () => {
    const one = await runCli(["audit", "--store", spec, "--seq", "2", "--json"]);
    expect((JSON.parse(one.stdout) as AuditRecord[]).map((record) => record.seq)).toEqual([2]);
  });
});
