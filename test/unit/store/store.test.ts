import { Annotation, Command, END, interrupt, START, StateGraph } from "@langchain/langgraph";
import { MemorySaver, type BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, sha256 } from "../../../src/store/auditChain.js";
import { createMemoryStore } from "../../../src/store/memory.js";
import type { Store } from "../../../src/store/types.js";
import {
  memoryHarness,
  postgresHarness,
  sampleEntry,
  sampleReview,
  sqliteHarness,
  type StoreHarness,
} from "./harness.js";

const harnesses: [string, () => StoreHarness][] = [
  ["memory", memoryHarness],
  ["sqlite", sqliteHarness],
  ["postgres", () => postgresHarness("suite")],
];

describe.each(harnesses)("%s store", (_name, makeHarness) => {
  let harness: StoreHarness;
  let store: Store;
  let second: Store;

  beforeAll(async () => {
    harness = makeHarness();
    store = await harness.open();
    second = await harness.openSecond();
  });
  afterAll(() => harness.cleanup());

  describe("review queue", () => {
    it("lists what was put, oldest first, and put is idempotent", async () => {
      await store.queue.put(sampleReview("q-b", "i1", 2_000));
      await store.queue.put(sampleReview("q-a", "i1", 1_000));
      await store.queue.put({ ...sampleReview("q-a", "i1", 1_000), actingUser: "someone-else" });
      const listed = (await second.queue.list()).filter((review) => review.threadId.startsWith("q-"));
      expect(listed.map((review) => review.threadId)).toEqual(["q-a", "q-b"]);
      expect(listed[0]).toEqual({ ...sampleReview("q-a", "i1", 1_000), claimedBy: null });
    });

    it("gets a thread's review, or null", async () => {
      await store.queue.put(sampleReview("q-get", "i9", 5_000));
      expect((await second.queue.get("q-get"))?.request.actionRequests[0]?.args).toEqual({
        dish: "lasagna",
        price: 45,
      });
      expect(await second.queue.get("no-such-thread")).toBeNull();
    });

    it("lets exactly one of two reviewers claim a review, and release gives it back", async () => {
      await store.queue.put(sampleReview("q-claim", "i1"));
      const results = await Promise.all([
        store.queue.claim("q-claim", "i1", "alice"),
        second.queue.claim("q-claim", "i1", "bob"),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? "alice" : "bob";
      expect((await store.queue.get("q-claim"))?.claimedBy).toBe(winner);
      expect(await store.queue.claim("q-claim", "i1", winner)).toBe(false);
      await second.queue.release("q-claim", "i1");
      expect(await store.queue.claim("q-claim", "i1", "carol")).toBe(true);
    });

    it("removes an answered review, after which it cannot be claimed", async () => {
      await store.queue.put(sampleReview("q-rm", "i1"));
      await second.queue.removeStale("q-rm", null);
      await second.queue.removeStale("q-rm", null);
      expect(await store.queue.get("q-rm")).toBeNull();
      expect(await store.queue.claim("q-rm", "i1", "alice")).toBe(false);
      expect(await store.queue.claim("q-missing", "i1", "alice")).toBe(false);
    });

    it("removes a thread's stale reviews but the current one, and leaves other threads alone", async () => {
      for (const [threadId, interruptId] of [
        ["q-stale", "i1"],
        ["q-stale", "i2"],
        ["q-stale", "i3"],
        ["q-kept", "i1"],
      ] as const)
        await store.queue.put(sampleReview(threadId, interruptId));
      await second.queue.removeStale("q-stale", "i2");
      const left = async () =>
        (await store.queue.list())
          .filter((review) => review.threadId === "q-stale" || review.threadId === "q-kept")
          .map((review) => `${review.threadId}/${review.interruptId}`)
          .sort();
      expect(await left()).toEqual(["q-kept/i1", "q-stale/i2"]);
      await second.queue.removeStale("q-stale", null);
      expect(await left()).toEqual(["q-kept/i1"]);
    });
  });

  describe("audit log", () => {
    it("appends each decision on a call once, chains the records and lists them by thread", async () => {
      await store.audit.append(sampleEntry("a-1", "call-1"));
      await second.audit.append(sampleEntry("a-2", "call-1", { decision: "rejected", outcome: "not_run" }));
      await second.audit.append(sampleEntry("a-1", "call-1", { outcome: "error" }));
      await store.audit.append(sampleEntry("a-1", "call-2", { decision: "timed_out", reviewer: null }));
      await store.audit.append(sampleEntry("a-1", "call-2", { decision: "timed_out", reviewer: null }));
      // The same call decided again by someone else (its first decision's run died before its checkpoint).
      await store.audit.append(sampleEntry("a-1", "call-1", { decision: "rejected", reviewer: "dad" }));
      const all = await second.audit.list();
      expect(all.map((record) => record.seq)).toEqual([1, 2, 3, 4]);
      expect(all[1]?.prevHash).toBe(all[0]?.hash);
      const thread = await store.audit.list({ threadId: "a-1" });
      expect(thread.map((record) => [record.toolCallId, record.decision, record.reviewer])).toEqual([
        ["call-1", "approved", "mom"],
        ["call-2", "timed_out", null],
        ["call-1", "rejected", "dad"],
      ]);
      expect(thread[0]?.args).toEqual({ restaurant: "Pasta Place", amount: 42, card: "****" });
      expect(await store.audit.verify()).toEqual({ ok: true, count: 4, problems: [] });
    });

    it("digests arguments with the store's own key: every handle on it agrees, and it is not a plain hash", () => {
      const args = { to: "ann", pin: "4821" };
      expect(second.audit.digestArgs(args)).toBe(store.audit.digestArgs(args));
      expect(store.audit.digestArgs(args)).not.toContain(sha256(canonicalJson(args)));
      expect(createMemoryStore({ checkpointer: () => new MemorySaver() }).audit.digestArgs(args)).not.toBe(
        store.audit.digestArgs(args),
      );
    });

    it("names an edited, a deleted and a reordered record", async () => {
      for (let call = 3; call <= 8; call++) await store.audit.append(sampleEntry("a-1", `call-${call}`));
      await harness.editDecision(2, "approved");
      await harness.deleteRecord(4);
      await harness.swapRecords(6, 7);
      const result = await second.audit.verify();
      expect(result.ok).toBe(false);
      expect(result.problems.map((problem) => [problem.seq, problem.kind])).toEqual([
        [2, "edited"],
        [4, "deleted"],
        [6, "reordered"],
        [7, "reordered"],
      ]);
    });
  });

  describe("execution journal", () => {
    const starting = (threadId: string, startedAt: number) => ({
      threadId,
      toolCallId: "call-1",
      tool: "order_dish",
      argsHash: store.audit.digestArgs({ dish: "lasagna" }),
      startedAt,
    });

    it("lets exactly one of two runs start a call; the other gets the unfinished record", async () => {
      const results = await Promise.all([
        store.executions.start(starting("x-1", 1_000)),
        second.executions.start(starting("x-1", 2_000)),
      ]);
      expect(results.filter((result) => result === null)).toHaveLength(1);
      const loser = results.find((result) => result !== null);
      expect(loser).toMatchObject({ ...starting("x-1", 0), startedAt: expect.any(Number) as number });
      expect(loser).toMatchObject({ finishedAt: null, outcome: null, result: null });
      expect(await store.executions.start(starting("x-1", 3_000))).toMatchObject({ finishedAt: null });
    });

    it("returns how a finished call ended, and keeps threads apart", async () => {
      expect(await store.executions.start(starting("x-2", 1_000))).toBeNull();
      await second.executions.finish("x-2", "call-1", {
        outcome: "error",
        result: "sold out",
        finishedAt: 1_500,
      });
      expect(await second.executions.start(starting("x-2", 4_000))).toEqual({
        ...starting("x-2", 1_000),
        finishedAt: 1_500,
        outcome: "error",
        result: "sold out",
      });
      expect(await second.executions.start(starting("x-3", 4_000))).toBeNull();
      expect(await store.executions.get("x-2", "call-1")).toMatchObject({
        outcome: "error",
        result: "sold out",
      });
      expect(await store.executions.get("x-4", "call-1")).toBeNull();
    });
  });

  describe("transcript and threads", () => {
    it("keeps messages in order and skips ones already stored", async () => {
      const message = (id: string, content: string) => ({
        type: "human",
        data: { id, content, role: undefined, name: undefined, tool_call_id: undefined },
      });
      await store.transcript.append("t-1", [message("m1", "hello"), message("m2", "again")]);
      await second.transcript.append("t-1", [message("m2", "again"), message("m3", "third")]);
      await store.transcript.append("t-2", [message("m1", "other thread")]);
      const read = await second.transcript.read("t-1");
      expect(read.map((stored) => stored.data.content)).toEqual(["hello", "again", "third"]);
      expect(await store.transcript.read("t-none")).toEqual([]);
    });

    it("rejects a message without an id rather than storing duplicates on retry", async () => {
      const bare = {
        type: "ai",
        data: { content: "x", role: undefined, name: undefined, tool_call_id: undefined },
      };
      await expect(store.transcript.append("t-3", [bare])).rejects.toThrow(/no id/);
    });

    it("records who acts in a thread and when it was created and last used", async () => {
      await store.threads.touch("th-1", "joe");
      await second.threads.touch("th-1", "mom");
      const info = await store.threads.get("th-1");
      expect(info).toMatchObject({ threadId: "th-1", actingUser: "mom" });
      expect(info?.updatedAt).toBeGreaterThanOrEqual(info?.createdAt ?? Infinity);
      expect(await store.threads.get("th-none")).toBeNull();
    });
  });

  it("keeps a graph paused at an interrupt and resumes it from another handle", async () => {
    const config = { configurable: { thread_id: `cp-${harness.name}` } };
    await buildAskingGraph(store.checkpointer).invoke({ log: ["start"] }, config);
    const resumed = buildAskingGraph(second.checkpointer);
    const paused = await resumed.getState(config);
    expect(paused.next).toEqual(["ask"]);
    expect(paused.tasks[0]?.interrupts[0]?.value).toEqual({ question: "order lasagna?" });
    const done = await resumed.invoke(new Command({ resume: "yes" }), config);
    expect(done.log).toEqual(["start", "answer: yes"]);
  });

  it("knows a thread's latest checkpoint without loading it, and which one this handle wrote", async () => {
    const threadId = `heads-${harness.name}`;
    const config = { configurable: { thread_id: threadId } };
    expect(await store.heads.latest(threadId)).toBeNull();
    expect(store.heads.writtenHere(threadId)).toBeUndefined();
    await buildAskingGraph(store.checkpointer).invoke({ log: [] }, { ...config, durability: "exit" });
    const written = store.heads.writtenHere(threadId);
    expect(written).toBe((await store.checkpointer.getTuple(config))?.config.configurable?.checkpoint_id);
    expect(await store.heads.latest(threadId)).toBe(written);
    expect(await second.heads.latest(threadId)).toBe(written);
    // Another handle (another process, for the durable stores) moves the thread on.
    await buildAskingGraph(second.checkpointer).invoke(new Command({ resume: "no" }), config);
    const moved = await store.heads.latest(threadId);
    expect(moved).not.toBe(written);
    expect(moved).toBe((await store.checkpointer.getTuple(config))?.config.configurable?.checkpoint_id);
    if (harness.name !== "memory") expect(store.heads.writtenHere(threadId)).toBe(written);
    expect(await store.heads.latest("heads-none")).toBeNull();
  });
});

function buildAskingGraph(checkpointer: BaseCheckpointSaver) {
  const State = Annotation.Root({
    log: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
  });
  return new StateGraph(State)
    .addNode("ask", () => ({ log: [`answer: ${String(interrupt({ question: "order lasagna?" }))}`] }))
    .addEdge(START, "ask")
    .addEdge("ask", END)
    .compile({ checkpointer });
}
