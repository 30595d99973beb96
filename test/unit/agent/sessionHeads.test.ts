import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { openSession } from "../../../src/agent/session.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../../src/models/scripted.js";
import type { Policy } from "../../../src/review/policy.js";
import { openStore } from "../../../src/store/open.js";
import type { Store } from "../../../src/store/types.js";
import { createFakeToolbox } from "../../fixtures/fakeMcp.js";

// Before new input, a session skips reading the thread's state only while the thread's latest checkpoint
// is the one its own last run wrote as it finished. Two handles on one SQLite file stand for two processes.

const policy: Policy = {
  rules: [{ tool: "pay", tier: "confirm", message: "money leaves" }],
  default: "allow",
};
const folder = mkdtempSync(join(tmpdir(), "askfirst-heads-"));
const opened: Store[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function sessionOn(file: string, turns: ScriptedTurn[]) {
  const store = await openStore(`sqlite:${join(folder, file)}`, { cwd: folder });
  opened.push(store);
  const session = openSession({
    store,
    model: new ScriptedChatModel(turns, "test turns"),
    toolbox: createFakeToolbox().toolbox,
    policy,
  });
  return { store, session };
}

const listTurn: ScriptedTurn[] = [
  { tool_calls: [{ name: "list_items", args: {} }] },
  { text: "apple, pear" },
];

describe("new input after a run that finished here", () => {
  it("refuses it when another process has since left a review waiting in the thread", async () => {
    const here = await sessionOn("moved.db", [...listTurn, { text: "never asked" }]);
    const there = await sessionOn("moved.db", [
      { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
    ]);
    expect((await here.session.send("t", "what is there?", { actingUser: "henry" })).status).toBe("done");
    const waiting = await there.session.send("t", "pay ann 5", { actingUser: "henry", onReview: "queue" });
    expect(waiting.status).toBe("pending");
    await expect(here.session.send("t", "and now?", { actingUser: "henry" })).rejects.toMatchObject({
      code: "review_pending",
    });
    expect((await there.session.pendingReview("t"))?.interruptId).toBe(waiting.review?.interruptId);
  });

  it("reads the thread's state only for the run itself while nobody else has run the thread", async () => {
    const { store, session } = await sessionOn("quiet.db", [...listTurn, ...listTurn, ...listTurn]);
    await session.send("t", "first", { actingUser: "henry" });
    const reads = vi.spyOn(store.checkpointer, "getTuple");
    await session.send("t", "second", { actingUser: "henry" });
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockClear();
    // A second handle writes to the thread: the next input reads the state first again.
    const other = await sessionOn("quiet.db", listTurn);
    await other.session.send("t", "from elsewhere", { actingUser: "henry" });
    await session.send("t", "third", { actingUser: "henry" });
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it("reads it again after a run that paused for a review, even once that review is answered elsewhere", async () => {
    const { store, session } = await sessionOn("paused.db", [
      { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] },
      ...listTurn,
    ]);
    const paused = await session.send("t", "pay ann 5", { actingUser: "henry", onReview: "queue" });
    const other = await sessionOn("paused.db", [{ text: "paid" }]);
    await other.session.resume(
      "t",
      { decisions: [{ type: "approve" }], reviewer: "rita" },
      {
        interruptId: paused.review?.interruptId ?? "",
      },
    );
    const reads = vi.spyOn(store.checkpointer, "getTuple");
    expect((await session.send("t", "list please", { actingUser: "henry" })).status).toBe("done");
    expect(reads).toHaveBeenCalledTimes(2);
  });
});

describe("a model answer that came without an id", () => {
  it("keeps the id it was given in the checkpoint as read by another process, as in the transcript", async () => {
    const { store, session } = await sessionOn("ids.db", listTurn);
    await session.send("t", "what is there?", { actingUser: "henry" });
    const other = await openStore(`sqlite:${join(folder, "ids.db")}`, { cwd: folder });
    opened.push(other);
    const cold = await other.checkpointer.getTuple({ configurable: { thread_id: "t" } });
    const window = (cold?.checkpoint.channel_values.messages ?? []) as { id?: string }[];
    const stored = await store.transcript.read("t");
    expect(window.map((message) => message.id)).toEqual(stored.map((message) => message.data.id));
    expect(window.every((message) => typeof message.id === "string")).toBe(true);
  });
});
