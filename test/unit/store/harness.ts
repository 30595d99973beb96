import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { MemorySaver } from "@langchain/langgraph-checkpoint";
import { afterAll, beforeAll } from "vitest";
import { keyedArgsDigest } from "../../../src/store/auditChain.js";
import { createMemoryStore } from "../../../src/store/memory.js";
import { openStore } from "../../../src/store/open.js";
import type { AuditEntry, AuditRecord, PendingReview, Store } from "../../../src/store/types.js";

export const testPostgresUrl =
  process.env.ASKFIRST_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * One kind of store as the shared suite sees it: two handles on the same data (two processes' view), and
 * the raw edits someone with write access to the database could make behind the log's back.
 */
export interface StoreHarness {
  readonly name: "memory" | "sqlite" | "postgres";
  open(): Promise<Store>;
  /** A second, independent handle on the same data; for memory, the same store (one process). */
  openSecond(): Promise<Store>;
  /** A spec `openStore` accepts in another process, or null for memory. */
  readonly spec: string | null;
  editDecision(seq: number, decision: string): Promise<void>;
  deleteRecord(seq: number): Promise<void>;
  swapRecords(a: number, b: number): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * For a describe block: the harness's store and a second handle on it, opened before its tests and cleaned
 * up after them. Read the fields inside tests (they are set in beforeAll).
 */
export function openedStores(makeHarness: () => StoreHarness): {
  harness: StoreHarness;
  store: Store;
  second: Store;
} {
  const opened = {} as { harness: StoreHarness; store: Store; second: Store };
  beforeAll(async () => {
    opened.harness = makeHarness();
    opened.store = await opened.harness.open();
    opened.second = await opened.harness.openSecond();
  });
  afterAll(() => opened.harness.cleanup());
  return opened;
}

/** Every kind of store, for `describe.each`; `label` keeps the file's PostgreSQL schema its own. */
export function everyHarness(label: string): [StoreHarness["name"], () => StoreHarness][] {
  return [
    ["memory", memoryHarness],
    ["sqlite", sqliteHarness],
    ["postgres", () => postgresHarness(label)],
  ];
}

export function memoryHarness(): StoreHarness {
  const records: AuditRecord[] = [];
  const saver = new MemorySaver();
  const store = createMemoryStore({ checkpointer: () => saver, auditRecords: records });
  const bySeq = (seq: number): AuditRecord => {
    const record = records.find((candidate) => candidate.seq === seq);
    if (!record) throw new Error(`no record ${seq}`);
    return record;
  };
  return {
    name: "memory",
    spec: null,
    open: () => Promise.resolve(store),
    openSecond: () => Promise.resolve(store),
    editDecision: (seq, decision) => Promise.resolve(void Object.assign(bySeq(seq), { decision })),
    deleteRecord: (seq) => Promise.resolve(void records.splice(records.indexOf(bySeq(seq)), 1)),
    swapRecords: (a, b) => {
      const [first, second] = [bySeq(a), bySeq(b)];
      [first.seq, second.seq] = [second.seq, first.seq];
      return Promise.resolve();
    },
    cleanup: () => Promise.resolve(),
  };
}

export function sqliteHarness(): StoreHarness {
  const folder = mkdtempSync(join(tmpdir(), "askfirst-store-"));
  const spec = `sqlite:${join(folder, "nested", "askfirst.db")}`;
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await openStore(spec, { cwd: folder });
    opened.push(store);
    return store;
  };
  const raw = (sql: string, ...params: unknown[]): Promise<void> => {
    const db = new Database(join(folder, "nested", "askfirst.db"));
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
    return Promise.resolve();
  };
  return {
    name: "sqlite",
    spec,
    open,
    openSecond: open,
    editDecision: (seq, decision) =>
      raw("UPDATE askfirst_audit SET entry = json_set(entry, '$.decision', ?) WHERE seq = ?", decision, seq),
    deleteRecord: (seq) => raw("DELETE FROM askfirst_audit WHERE seq = ?", seq),
    swapRecords: async (a, b) => {
      await raw("UPDATE askfirst_audit SET seq = -seq WHERE seq IN (?, ?)", a, b);
      await raw("UPDATE askfirst_audit SET seq = CASE seq WHEN ? THEN ? ELSE ? END WHERE seq < 0", -a, b, a);
    },
    cleanup: async () => {
      await Promise.all(opened.map((store) => store.close()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Each harness gets its own schema, dropped at cleanup, so test files never see each other's rows. */
export function postgresHarness(label: string): StoreHarness {
  const schema = `askfirst_test_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const url = new URL(testPostgresUrl);
  url.searchParams.set("schema", schema);
  const spec = url.toString();
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await openStore(spec, { cwd: "/" });
    opened.push(store);
    return store;
  };
  const raw = async (sql: string, params: unknown[] = []): Promise<void> => {
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    try {
      await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  const audit = `"${schema}".askfirst_audit`;
  return {
    name: "postgres",
    spec,
    open,
    openSecond: open,
    editDecision: (seq, decision) =>
      raw(
        `UPDATE ${audit} SET entry = jsonb_set(entry::jsonb, '{decision}', to_jsonb($1::text))::text WHERE seq = $2`,
        [decision, seq],
      ),
    deleteRecord: (seq) => raw(`DELETE FROM ${audit} WHERE seq = $1`, [seq]),
    swapRecords: async (a, b) => {
      await raw(`UPDATE ${audit} SET seq = -seq WHERE seq IN ($1, $2)`, [a, b]);
      await raw(
        `UPDATE ${audit} SET seq = CASE seq WHEN $1::bigint THEN $2::bigint ELSE $3::bigint END WHERE seq < 0`,
        [-a, b, a],
      );
    },
    cleanup: async () => {
      await Promise.all(opened.map((store) => store.close()));
      await raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

export function sampleEntry(
  threadId: string,
  toolCallId: string,
  overrides: Partial<AuditEntry> = {},
): AuditEntry {
  const args = { restaurant: "Pasta Place", amount: 42, card: "****" };
  return {
    time: "2026-11-21T10:00:00.000Z",
    threadId,
    toolCallId,
    interruptId: "a".repeat(32),
    actingUser: "joe",
    reviewer: "mom",
    tool: "order_dish",
    server: "askfirst",
    args,
    argsHash: sampleDigest(args),
    tier: "confirm",
    rule: "rule 4 (order_dish above 30)",
    decision: "approved",
    decideMs: 1200,
    outcome: "ok",
    error: null,
    executedArgsHash: sampleDigest(args),
    ...overrides,
  };
}

/** Digests for hand-made records (a fixed key: records are compared, never checked against a store's key). */
const sampleDigest = keyedArgsDigest("5a".repeat(32));

export function sampleReview(
  threadId: string,
  interruptId: string,
  createdAt = 1_000,
): Omit<PendingReview, "claimedBy"> {
  return {
    threadId,
    interruptId,
    actingUser: "joe",
    createdAt,
    deadline: createdAt + 300_000,
    request: {
      actionRequests: [
        { name: "order_dish", args: { dish: "lasagna", price: 45 }, description: "Order lasagna" },
      ],
      reviewConfigs: [{ actionName: "order_dish", allowedDecisions: ["approve", "edit", "reject"] }],
      context: {
        actingUser: "joe",
        actions: [
          { toolCallId: "call-1", server: "askfirst", tier: "confirm", rule: "rule 4 (order_dish above 30)" },
        ],
        requestedAt: createdAt,
        deadline: createdAt + 300_000,
      },
    },
  };
}
