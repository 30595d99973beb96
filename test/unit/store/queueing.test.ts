import Database from "better-sqlite3";
import pg from "pg";
import { emptyCheckpoint, type BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import type { ReviewRequest } from "../../../src/review/decisions.js";
import {
  everyHarness,
  openedStores,
  postgresHarness,
  sampleReview,
  sqliteHarness,
  testPostgresUrl,
  type StoreHarness,
} from "./harness.js";

const harnesses = everyHarness("queueing");

const request: ReviewRequest = sampleReview("any", "any", 7_000).request;

/** Where a task of the thread's checkpoint writes; `namespace` is a subgraph's. */
const at = (threadId: string, checkpointId: string, namespace = "") => ({
  configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpointId },
});

const interrupted = (interruptId: string, value: unknown = request): [string, unknown][] => [
  ["__interrupt__", [{ id: interruptId, value }]],
];

/** Writes the thread's next checkpoint, as LangGraph does when a run moves the thread on. */
async function moveOn(saver: BaseCheckpointSaver, threadId: string, checkpointId: string, namespace = "") {
  const checkpoint = { ...emptyCheckpoint(), id: checkpointId };
  const config = { configurable: { thread_id: threadId, checkpoint_ns: namespace } };
  await saver.put(config, checkpoint, { source: "loop", step: 1, parents: {} }, {});
}

describe.each(harnesses)("the %s store's checkpointer keeps the review queue", (_name, makeHarness) => {
  const opened = openedStores(makeHarness);
  const listed = async (threadId: string) =>
    (await opened.second.queue.list())
      .filter((review) => review.threadId === threadId)
      .map((review) => `${review.interruptId}${review.claimedBy ? ` (${review.claimedBy})` : ""}`);

  it("queues a review as its interrupt is written, once, and a claim on it is kept", async () => {
    await opened.store.checkpointer.putWrites(at("k-put", "cp-1"), interrupted("int-1"), "task-1");
    expect(await opened.second.queue.get("k-put")).toEqual({
      threadId: "k-put",
      interruptId: "int-1",
      actingUser: request.context.actingUser,
      request,
      createdAt: request.context.requestedAt,
      deadline: request.context.deadline,
      claimedBy: null,
    });
    expect(await opened.second.queue.claim("k-put", "int-1", "mom")).toBe(true);
    await opened.store.checkpointer.putWrites(at("k-put", "cp-1"), interrupted("int-1"), "task-1");
    expect(await listed("k-put")).toEqual(["int-1 (mom)"]);
  });

  it("leaves out an interrupt that asks no review, and writes that are not interrupts", async () => {
    const saver = opened.store.checkpointer;
    await saver.putWrites(at("k-other", "cp-1"), interrupted("int-q", { question: "lasagna?" }), "task-1");
    await saver.putWrites(at("k-other", "cp-1"), [["messages", []]], "task-2");
    expect(await listed("k-other")).toEqual([]);
  });

  it("drops a thread's reviews once its next checkpoint is written, whichever write lands first", async () => {
    const saver = opened.store.checkpointer;
    await saver.putWrites(at("k-move", "cp-1"), interrupted("int-1"), "task-1");
    await saver.putWrites(at("k-stay", "cp-1"), interrupted("int-1"), "task-1");
    // Queued by an answerer (no checkpoint known) before its run moved the thread on.
    await opened.second.queue.put(sampleReview("k-move", "by-hand"));
    // The run's next review is written before the checkpoint it belongs to, as LangGraph may do.
    await saver.putWrites(at("k-move", "cp-2"), interrupted("int-2"), "task-2");
    expect(await listed("k-move")).toEqual(["int-2"]);
    await moveOn(saver, "k-move", "cp-2");
    expect(await listed("k-move")).toEqual(["int-2"]);
    await moveOn(saver, "k-move", "cp-2-child", "child:1");
    expect(await listed("k-move")).toEqual(["int-2"]);
    await moveOn(saver, "k-move", "cp-3");
    expect(await listed("k-move")).toEqual([]);
    expect(await listed("k-stay")).toEqual(["int-1"]);
  });
});

/** Makes every insert into (or delete from) the queue fail, as a full disk would, until the returned undo. */
async function refuseQueueChanges(
  harness: StoreHarness,
  change: "INSERT" | "DELETE",
): Promise<() => Promise<void>> {
  if (harness.name === "sqlite") {
    const db = new Database((harness.spec ?? "").replace(/^sqlite:/, ""));
    db.exec(`CREATE TRIGGER no_reviews BEFORE ${change} ON askfirst_reviews
             BEGIN SELECT RAISE(ABORT, 'the disk is full'); END`);
    return () => {
      db.exec("DROP TRIGGER no_reviews");
      db.close();
      return Promise.resolve();
    };
  }
  const schema = new URL(harness.spec ?? "").searchParams.get("schema") ?? "";
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  await client.query(`
    CREATE FUNCTION "${schema}".no_reviews() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'the disk is full'; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER no_reviews BEFORE ${change} ON "${schema}".askfirst_reviews
      FOR EACH ROW EXECUTE FUNCTION "${schema}".no_reviews();`);
  return async () => {
    await client.query(`DROP FUNCTION "${schema}".no_reviews() CASCADE`);
    await client.end();
  };
}

describe.each([
  ["sqlite", sqliteHarness],
  ["postgres", () => postgresHarness("queueing_atomic")],
])("the %s store", (_name, makeHarness: () => StoreHarness) => {
  const opened = openedStores(makeHarness);

  it("writes a review and its interrupt together, or neither", async () => {
    const threadId = "k-atomic";
    await moveOn(opened.store.checkpointer, threadId, "cp-1");
    const allowReviews = await refuseQueueChanges(opened.harness, "INSERT");
    try {
      await expect(
        opened.store.checkpointer.putWrites(at(threadId, "cp-1"), interrupted("int-1"), "task-1"),
      ).rejects.toThrow("the disk is full");
    } finally {
      await allowReviews();
    }
    const tuple = await opened.store.checkpointer.getTuple({ configurable: { thread_id: threadId } });
    expect(tuple?.pendingWrites).toEqual([]);
    expect(await opened.store.queue.get(threadId)).toBeNull();

    await opened.store.checkpointer.putWrites(at(threadId, "cp-1"), interrupted("int-1"), "task-1");
    const written = await opened.store.checkpointer.getTuple({ configurable: { thread_id: threadId } });
    expect(written?.pendingWrites?.map(([, channel]) => channel)).toEqual(["__interrupt__"]);
    expect((await opened.store.queue.get(threadId))?.interruptId).toBe("int-1");
  });

  it("writes a checkpoint and drops the reviews it supersedes together, or neither", async () => {
    const threadId = "k-atomic-put";
    const latest = async () =>
      (await opened.store.checkpointer.getTuple({ configurable: { thread_id: threadId } }))?.config
        .configurable?.checkpoint_id as unknown;
    await moveOn(opened.store.checkpointer, threadId, "cp-1");
    await opened.store.checkpointer.putWrites(at(threadId, "cp-1"), interrupted("int-1"), "task-1");
    const allowChanges = await refuseQueueChanges(opened.harness, "DELETE");
    try {
      await expect(moveOn(opened.store.checkpointer, threadId, "cp-2")).rejects.toThrow("the disk is full");
    } finally {
      await allowChanges();
    }
    expect(await latest()).toBe("cp-1");
    expect((await opened.store.queue.get(threadId))?.interruptId).toBe("int-1");

    await moveOn(opened.store.checkpointer, threadId, "cp-2");
    expect(await latest()).toBe("cp-2");
    expect(await opened.store.queue.get(threadId)).toBeNull();
  });
});
