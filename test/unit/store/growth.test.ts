import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSession } from "../../../src/agent/session.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../../src/models/scripted.js";
import { openStore } from "../../../src/store/open.js";
import { createFakeToolbox } from "../../fixtures/fakeMcp.js";

const folder = mkdtempSync(join(tmpdir(), "askfirst-growth-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Bytes the thread's rows take in every table of the SQLite store (checkpoints, writes, transcript, audit). */
function storedBytes(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const sum = (sql: string): number => Number((db.prepare(sql).get() as { n: number | null }).n ?? 0);
    return (
      sum("SELECT sum(length(checkpoint) + length(metadata)) AS n FROM checkpoints") +
      sum("SELECT sum(length(value)) AS n FROM writes") +
      sum("SELECT sum(length(message)) AS n FROM askfirst_transcript") +
      sum("SELECT sum(length(entry)) AS n FROM askfirst_audit")
    );
  } finally {
    db.close();
  }
}

describe("a thread's stored size", () => {
  it("grows by what each turn adds, not with the whole history", async () => {
    const path = join(folder, "growth.db");
    const store = await openStore(`sqlite:${path}`, { cwd: folder });
    const turns = 90;
    const script: ScriptedTurn[] = [];
    for (let turn = 0; turn < turns; turn++)
      script.push(
        { tool_calls: [{ name: "list_items", args: {} }] },
        { text: `Turn ${turn}: apple and pear.` },
      );
    const fake = createFakeToolbox();
    const session = openSession({
      store,
      model: new ScriptedChatModel(script, "growth turns"),
      toolbox: fake.toolbox,
      policy: { rules: [{ tool: "list_items", tier: "allow" }], default: "confirm" },
      windowSize: 12,
    });
    const sizes: number[] = [];
    for (let turn = 0; turn < turns; turn++) {
      await session.send("long-thread", `what is there, round ${turn}?`, { actingUser: "joe" });
      sizes.push(storedBytes(path));
    }
    await fake.toolbox.close();
    await store.close();
    // Once the window is full, every later turn must cost the same: 30 turns late add no more than 30 early.
    const early = (sizes[59] as number) - (sizes[29] as number);
    const late = (sizes[89] as number) - (sizes[59] as number);
    expect(late / early).toBeLessThan(1.1);
    expect(fake.received).toHaveLength(turns);
    expect(sizes[89]).toBeLessThan(2_000_000);
  });
});
