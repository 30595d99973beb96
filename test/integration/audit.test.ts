import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("says the chain is intact and exits 0", async () => {
    const result = await runCli(["audit", "--verify", "--store", spec]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("The audit trail is intact: 4 records, hash chain verified.\n");
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
