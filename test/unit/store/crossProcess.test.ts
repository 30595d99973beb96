import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../helpers/cli.js";
import { openedStores, postgresHarness, sampleEntry, sampleReview, sqliteHarness } from "./harness.js";

// Each worker is a separate Node process on the built store (test/globalSetup builds dist/ first), so the
// locking under test is the database's, not one event loop's.
const worker = `
const [openPath, spec, mode, name, count] = process.argv.slice(1);
const { openStore } = await import(openPath);
const store = await openStore(spec, { cwd: "/", checkpointer: false });
if (mode === "claim") {
  console.log(await store.queue.claim(process.env.THREAD ?? "race", "i1", name));
  // A holding reviewer stays alive (its claim live) until the test closes its stdin.
  if (process.env.HOLD) await new Promise((done) => process.stdin.on("end", done).resume());
}
else for (let i = 0; i < Number(count); i++) await store.audit.append(JSON.parse(process.env.ENTRY.replace("CALL", name + "-" + i)));
await store.close();
`;

interface Worker {
  /** The worker's first line of output (a claim's result). */
  output: Promise<string>;
  /** Resolves when the worker has exited cleanly. */
  done: Promise<void>;
  /** Lets a holding worker exit. */
  finish(): void;
}

function startWorker(
  spec: string,
  mode: "claim" | "append",
  options: { name: string; count?: number; thread?: string; hold?: boolean },
): Worker {
  const openPath = resolve(repoRoot, "dist/store/open.js");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    ENTRY: JSON.stringify(sampleEntry("cross", "CALL")),
    THREAD: options.thread ?? "race",
  };
  if (options.hold) env.HOLD = "1";
  const args = [
    "--input-type=module",
    "-e",
    worker,
    openPath,
    spec,
    mode,
    options.name,
    String(options.count ?? 0),
  ];
  const child = spawn(process.execPath, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  if (!options.hold) child.stdin.end();
  let out = "";
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const output = new Promise<string>((resolveOutput) =>
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolveOutput(out.trim());
    }),
  );
  const done = new Promise<void>((resolveDone, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolveDone() : reject(new Error(`worker ${options.name}: ${err}`)),
    );
  });
  return { output, done, finish: () => child.stdin.end() };
}

async function runWorker(spec: string, mode: "claim" | "append", name: string, count = 0, thread = "race") {
  const started = startWorker(spec, mode, { name, count, thread });
  await started.done;
  return mode === "claim" ? started.output : "";
}

describe.each([
  ["sqlite", sqliteHarness],
  ["postgres", () => postgresHarness("cross")],
])("%s store shared by several processes", (_name, makeHarness) => {
  const opened = openedStores(makeHarness);

  it("lets exactly one of four reviewer processes claim the same review", async () => {
    await opened.store.queue.put(sampleReview("race", "i1"));
    const spec = opened.harness.spec as string;
    const workers = ["ann", "bob", "cat", "dan"].map((name) =>
      startWorker(spec, "claim", { name, hold: true }),
    );
    const answers = await Promise.all(workers.map((started) => started.output));
    for (const started of workers) started.finish();
    await Promise.all(workers.map((started) => started.done));
    expect(answers.filter((answer) => answer === "true")).toHaveLength(1);
    const winner = ["ann", "bob", "cat", "dan"][answers.indexOf("true")];
    expect((await opened.store.queue.get("race"))?.claimedBy).toBe(winner);
  });

  it("hands a review claimed by a reviewer process that died to the next reviewer", async () => {
    await opened.store.queue.put(sampleReview("orphan", "i1"));
    expect(await runWorker(opened.harness.spec as string, "claim", "ghost", 0, "orphan")).toBe("true");
    expect((await opened.store.queue.get("orphan"))?.claimedBy).toBe("ghost");
    expect(await opened.store.queue.claim("orphan", "i1", "mom")).toBe(true);
    expect((await opened.store.queue.get("orphan"))?.claimedBy).toBe("mom");
    expect(await runWorker(opened.harness.spec as string, "claim", "dad", 0, "orphan")).toBe("false");
  });

  it("keeps one valid chain when three processes append at once", async () => {
    const spec = opened.harness.spec as string;
    await Promise.all(["p1", "p2", "p3"].map((name) => runWorker(spec, "append", name, 15)));
    const records = await opened.store.audit.list();
    expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 45 }, (_, index) => index + 1));
    expect(await opened.store.audit.verify()).toMatchObject({ ok: true, count: 45, problems: [] });
  });
});
