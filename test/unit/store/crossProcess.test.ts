import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../helpers/cli.js";
import type { Store } from "../../../src/store/types.js";
import { postgresHarness, sampleEntry, sampleReview, sqliteHarness, type StoreHarness } from "./harness.js";

// Each worker is a separate Node process on the built store (test/globalSetup builds dist/ first), so the
// locking under test is the database's, not one event loop's.
const worker = `
const [openPath, spec, mode, name, count] = process.argv.slice(1);
const { openStore } = await import(openPath);
const store = await openStore(spec, { cwd: "/", checkpointer: false });
if (mode === "claim") console.log(await store.queue.claim("race", "i1", name));
else for (let i = 0; i < Number(count); i++) await store.audit.append(JSON.parse(process.env.ENTRY.replace("CALL", name + "-" + i)));
await store.close();
`;

function runWorker(spec: string, mode: "claim" | "append", name: string, count = 0): Promise<string> {
  const openPath = resolve(repoRoot, "dist/store/open.js");
  const entry = JSON.stringify(sampleEntry("cross", "CALL"));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", worker, openPath, spec, mode, name, String(count)],
      { env: { PATH: process.env.PATH ?? "", ENTRY: entry }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolvePromise(out.trim()) : reject(new Error(`worker ${name}: ${err}`)),
    );
  });
}

describe.each([
  ["sqlite", sqliteHarness],
  ["postgres", () => postgresHarness("cross")],
])("%s store shared by several processes", (_name, makeHarness) => {
  let harness: StoreHarness;
  let store: Store;

  beforeAll(async () => {
    harness = makeHarness();
    store = await harness.open();
  });
  afterAll(() => harness.cleanup());

  it("lets exactly one of four reviewer processes claim the same review", async () => {
    await store.queue.put(sampleReview("race", "i1"));
    const spec = harness.spec as string;
    const answers = await Promise.all(
      ["ann", "bob", "cat", "dan"].map((name) => runWorker(spec, "claim", name)),
    );
    expect(answers.filter((answer) => answer === "true")).toHaveLength(1);
    const winner = ["ann", "bob", "cat", "dan"][answers.indexOf("true")];
    expect((await store.queue.get("race"))?.claimedBy).toBe(winner);
  });

  it("keeps one valid chain when three processes append at once", async () => {
    const spec = harness.spec as string;
    await Promise.all(["p1", "p2", "p3"].map((name) => runWorker(spec, "append", name, 15)));
    const records = await store.audit.list();
    expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 45 }, (_, index) => index + 1));
    expect(await store.audit.verify()).toEqual({ ok: true, count: 45, problems: [] });
  });
});
