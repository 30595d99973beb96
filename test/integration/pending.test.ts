import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { spawnSync } from "node:child_process";
import { cleanEnv, cliPath, runCli } from "../helpers/cli.js";
import { postgresHarness, sampleReview, testPostgresUrl } from "../unit/store/harness.js";

describe("askfirst pending", () => {
  let folder: string;
  let spec: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "askfirst-pending-"));
    spec = `sqlite:${join(folder, "store.db")}`;
    const store = await openStore(spec, { cwd: folder, checkpointer: false });
    const secret = sampleReview("thread-secret", "i-1", Date.now() - 125_000);
    secret.request.actionRequests[0] = {
      name: "order_dish",
      args: { dish: "lasagna", api_key: "sk-live-do-not-show" },
      description: "Order lasagna",
    };
    await store.queue.put(secret);
    await store.queue.put({
      ...sampleReview("thread-late", "i-2", Date.now() - 3_600_000),
      deadline: Date.now() - 60_000,
    });
    await store.queue.claim("thread-late", "i-2", "mom");
    await store.close();
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("shows each waiting review: thread, acting user, calls, rule, wait and deadline, secrets masked", async () => {
    const result = await runCli(["pending", "--store", spec]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2 reviews are pending");
    expect(result.stdout).toMatch(
      /thread thread-secret {2}acting user joe {2}waiting 2m \d+s {2}times out in \dm/,
    );
    expect(result.stdout).toContain("order_dish on askfirst  (confirm: rule 4 (order_dish above 30))");
    expect(result.stdout).toContain('args {"dish":"lasagna","api_key":"***"}');
    expect(result.stdout).toMatch(/thread thread-late .* timed out 1m \d+s ago {2}being answered by mom/);
    expect(result.stdout).not.toContain("sk-live-do-not-show");
  });

  it("prints the same as JSON, oldest first, for scripts", async () => {
    const result = await runCli(["pending", "--json"], { env: { ASKFIRST_STORE: spec } });
    expect(result.code).toBe(0);
    const views = JSON.parse(result.stdout) as {
      threadId: string;
      waitingMs: number;
      calls: { args: object }[];
    }[];
    expect(views.map((view) => view.threadId)).toEqual(["thread-late", "thread-secret"]);
    expect(views[1]?.waitingMs).toBeGreaterThanOrEqual(125_000);
    expect(views[1]?.calls[0]?.args).toEqual({ dish: "lasagna", api_key: "***" });
    expect(result.stdout).not.toContain("sk-live-do-not-show");
  });

  it("lists a review whose stored request is damaged as unreadable, with the others", async () => {
    const path = join(folder, "damaged.db");
    const store = await openStore(`sqlite:${path}`, { cwd: folder, checkpointer: false });
    await store.queue.put(sampleReview("thread-damaged", "i-1", Date.now() - 5_000));
    await store.queue.put(sampleReview("thread-fine", "i-2", Date.now()));
    await store.close();
    const db = new Database(path);
    db.prepare("UPDATE askfirst_reviews SET request = 'not json' WHERE thread_id = 'thread-damaged'").run();
    db.close();
    const text = await runCli(["pending", "--store", `sqlite:${path}`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("2 reviews are pending");
    expect(text.stdout).toContain(
      "  review i-1: unreadable here (its stored request is not valid JSON); askfirst review thread-damaged reads its calls from the thread itself",
    );
    expect(text.stdout).toContain("order_dish on askfirst");
    const json = await runCli(["pending", "--json", "--store", `sqlite:${path}`]);
    const views = JSON.parse(json.stdout) as { threadId: string; unreadable: string | null; calls: [] }[];
    expect(views.map((view) => [view.threadId, view.unreadable, view.calls.length])).toEqual([
      ["thread-damaged", "its stored request is not valid JSON", 0],
      ["thread-fine", null, 1],
    ]);
  });

  it("reads .askfirst/askfirst.db under the working folder by default", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "askfirst-pending-cwd-"));
    const store = await openStore(undefined, { cwd, checkpointer: false });
    await store.queue.put(sampleReview("thread-here", "i-1", Date.now()));
    await store.close();
    const result = await runCli(["pending", "--json"], { cwd });
    rmSync(cwd, { recursive: true, force: true });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { threadId: string }[]).map((view) => view.threadId)).toEqual([
      "thread-here",
    ]);
    expect(result.stderr).toBe("");
  });

  it("reads a folder without a store as empty, says so on stderr, and creates nothing", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "askfirst-pending-cwd-"));
    const text = await runCli(["pending"], { cwd });
    const json = await runCli(["pending", "--json"], { cwd });
    const created = existsSync(join(cwd, ".askfirst"));
    rmSync(cwd, { recursive: true, force: true });
    expect(created).toBe(false);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe("No reviews are pending.\n");
    expect(text.stderr).toBe(
      `askfirst: note: no store at ${join(cwd, ".askfirst", "askfirst.db")} (the default, under the working folder): nothing has been kept there yet; run this where askfirst chat ran, or give --store\n`,
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it("refuses a named SQLite store that does not exist (exit 2), for pending, audit and review, creating nothing", async () => {
    const missing = join(folder, "typo", "stor.db");
    for (const args of [["pending"], ["audit", "--verify"], ["review", "thread-secret", "--approve"]]) {
      const result = await runCli([...args, "--store", `sqlite:${missing}`]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toBe(
        `askfirst: no store at ${missing}: nothing has been kept there yet; give the --store (or ASKFIRST_STORE) that askfirst chat used\n`,
      );
      expect(result.stdout).toBe("");
    }
    const fromEnv = await runCli(["audit"], { env: { ASKFIRST_STORE: `sqlite:${missing}` } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain(`no store at ${missing}: nothing has been kept there yet`);
    expect(existsSync(join(folder, "typo"))).toBe(false);
  });

  it("leaves a SQLite file that is not an askfirst store untouched, saying so (exit 2), for pending, audit and review", async () => {
    const other = join(folder, "other.db");
    const db = new Database(other);
    db.exec("CREATE TABLE recipes (name TEXT)");
    db.close();
    const before = readFileSync(other);
    for (const args of [["pending"], ["audit", "--verify"], ["review", "thread-1", "--approve"]]) {
      const result = await runCli([...args, "--store", `sqlite:${other}`]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toBe(
        `askfirst: ${other} is not an askfirst store (it has no askfirst tables): give the --store (or ASKFIRST_STORE) that askfirst chat used\n`,
      );
      expect(result.stdout).toBe("");
    }
    expect(readFileSync(other).equals(before)).toBe(true);
    expect(readdirSync(folder).filter((name) => name.startsWith("other.db"))).toEqual(["other.db"]);
  });

  it("refuses a memory store for pending, audit and review (exit 2): it lives only in the process that made it", async () => {
    for (const args of [["pending"], ["audit", "--verify"], ["review", "thread-secret", "--approve"]]) {
      const result = await runCli([...args, "--store", "memory"]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toBe(
        "askfirst: --store memory holds nothing here: a memory store lives only inside the process that made it; give the sqlite:<path> or postgres:// store askfirst chat used\n",
      );
      expect(result.stdout).toBe("");
    }
    const fromEnv = await runCli(["pending"], { env: { ASKFIRST_STORE: "memory" } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/^askfirst: ASKFIRST_STORE=memory holds nothing here/);
  });

  it("refuses to answer a review in a folder without a store, creating nothing", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "askfirst-review-cwd-"));
    const result = await runCli(["review", "thread-1", "--approve"], { cwd });
    const created = existsSync(join(cwd, ".askfirst"));
    rmSync(cwd, { recursive: true, force: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "(the default, under the working folder): nothing has been kept there yet",
    );
    expect(created).toBe(false);
  });

  it("askfirst review at a terminal, with no thread, reads a folder without a store as empty, as pending does", () => {
    const cwd = mkdtempSync(join(tmpdir(), "askfirst-review-cwd-"));
    const command = `${process.execPath} ${cliPath} review`;
    const result = spawnSync("script", ["-qfec", command, "/dev/null"], {
      cwd,
      env: cleanEnv({ TERM: "xterm" }),
      encoding: "utf8",
      timeout: 20_000,
    });
    const created = existsSync(join(cwd, ".askfirst"));
    rmSync(cwd, { recursive: true, force: true });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("No reviews are pending.");
    expect(result.stdout).toContain("askfirst: note: no store at");
    expect(created).toBe(false);
  });

  it("rejects an unknown store with exit 2 and the accepted forms", async () => {
    const result = await runCli(["pending", "--store", "mysql://me:pw@h/db"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid --store .*expected memory, sqlite:<path> or postgres:\/\//);
    expect(result.stderr).not.toContain(":pw@");
  });

  it("a --store that is not a database, or is a folder, is the person's to fix (exit 2)", async () => {
    const notDatabase = join(folder, "notes.txt");
    writeFileSync(notDatabase, "not a database\n");
    for (const path of [notDatabase, folder]) {
      const result = await runCli(["pending", "--store", `sqlite:${path}`]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`cannot open the SQLite store at ${path}`);
    }
  });
});

describe("askfirst pending on PostgreSQL", () => {
  const harness = postgresHarness("pending");
  afterAll(() => harness.cleanup());

  it("sees a review queued by another process", async () => {
    const store = await harness.open();
    await store.queue.put(sampleReview("pg-thread", "i-1", Date.now()));
    const result = await runCli(["pending", "--json", "--store", harness.spec as string]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { threadId: string }[]).map((view) => view.threadId)).toEqual([
      "pg-thread",
    ]);
    const typedAnyCase = (harness.spec as string).replace(/^postgres:/, "Postgres:");
    const again = await runCli(["pending", "--json", "--store", typedAnyCase]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { threadId: string }[]).map((view) => view.threadId)).toEqual([
      "pg-thread",
    ]);
  });

  it("says a schema without askfirst tables is not an askfirst store (exit 2), creating nothing there", async () => {
    const schema = `askfirst_test_empty_${process.pid}`;
    const url = new URL(testPostgresUrl);
    url.searchParams.set("schema", schema);
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    const tablesIn = async () =>
      (await client.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1", [schema]))
        .rowCount;
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      for (const args of [["pending"], ["audit", "--verify"]]) {
        const result = await runCli([...args, "--store", url.toString()]);
        expect(result.code, args.join(" ")).toBe(2);
        expect(result.stderr).toBe(
          `askfirst: ${url.toString()} is not an askfirst store (schema "${schema}" has no askfirst tables): give the --store (or ASKFIRST_STORE) that askfirst chat used\n`,
        );
      }
      expect(await tablesIn()).toBe(0);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it("fails clearly, without the password, when the server does not answer", async () => {
    const result = await runCli(["pending", "--store", "postgres://me:hunter2@127.0.0.1:1/none"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot use the PostgreSQL store at postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/none/,
    );
    expect(result.stderr).not.toContain("hunter2");
  });

  it("gives up on a server that takes the connection and never answers, naming the wait and connect_timeout", async () => {
    const silent = createServer((socket) => socket.resume());
    await new Promise<void>((listening) => silent.listen(0, "127.0.0.1", listening));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const store = `postgres://me:hunter2@127.0.0.1:${port}/none?connect_timeout=1`;
      const result = await runCli(["pending", "--store", store], { timeoutMs: 15_000 });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `askfirst: cannot use the PostgreSQL store at postgres://me:***@127.0.0.1:${port}/none?connect_timeout=1: no answer within 1 s (connect_timeout=<seconds> in the URL waits longer)\n`,
      );
    } finally {
      silent.close();
    }
  });
});
