import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../../src/store/open.js";
import type { Store } from "../../../src/store/types.js";
import { postgresHarness, sampleEntry, sampleReview, testPostgresUrl } from "./harness.js";

/**
 * A team's hosts often reach the database as roles of their own, granted the rows of a store another role
 * made (and owns): such a role may neither create schemas nor alter tables it does not own.
 */
describe("a PostgreSQL store opened by a role that may only read and write its rows", () => {
  const harness = postgresHarness("roles");
  const role = `askfirst_test_role_${process.pid}_${randomBytes(3).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  let owner: Store;
  let admin: pg.Client;
  let spec: string;

  beforeAll(async () => {
    owner = await harness.open();
    const schema = new URL(harness.spec as string).searchParams.get("schema") as string;
    admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
    await admin.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
    await admin.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`,
    );
    await admin.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA "${schema}" TO "${role}"`);
    const url = new URL(harness.spec as string);
    url.username = role;
    url.password = password;
    spec = url.toString();
  });
  afterAll(async () => {
    await harness.cleanup();
    await admin.query(`DROP OWNED BY "${role}"`);
    await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    await admin.end();
  });

  it("lists, claims and answers reviews and keeps the audit trail, with the owner's audit key", async () => {
    for (const existing of [true, false]) {
      const store = await openStore(spec, { cwd: "/", existing });
      try {
        const thread = `granted-${existing}`;
        await store.queue.put(sampleReview(thread, "i-1"));
        expect(await store.queue.claim(thread, "i-1", "rita")).toBe(true);
        expect((await owner.queue.get(thread))?.claimedBy).toBe("rita");
        await store.audit.append(sampleEntry(thread, "call-1"));
        expect((await owner.audit.verify()).ok).toBe(true);
        expect(store.audit.digestArgs({ amount: 5 })).toBe(owner.audit.digestArgs({ amount: 5 }));
        expect(await store.heads.latest(thread)).toBeNull();
      } finally {
        await store.close();
      }
    }
  });
});
