import { Annotation, Command, END, interrupt, START, StateGraph } from "@langchain/langgraph";
import { MemorySaver, type BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256 } from "../../../src/store/auditChain.js";
import { createMemoryStore } from "../../../src/store/memory.js";
import { everyHarness, openedStores, sampleEntry, sampleReview } from "./harness.js";

const harnesses = everyHarness("suite");

describe.each(harnesses)("%s store", (_name, makeHarness) => {
  const opened = openedStores(makeHarness);

  describe("review queue", () => {
    it("lists what was put, oldest first, and put is idempotent", async () => {
      await opened.store.queue.put(sampleReview("q-b", "i1", 2_000));
      await opened.store.queue.put(sampleReview("q-a", "i1", 1_000));
      await opened.store.queue.put({ ...sampleReview("q-a", "i1", 1_000), actingUser: "someone-else" });
      const listed = (await opened.second.queue.list()).filter((review) => review.threadId.startsWith("q-"));
      expect(listed.map((review) => review.threadId)).toEqual(["q-a", "q-b"]);
      expect(listed[0]).toEqual({ ...sampleReview("q-a", "i1", 1_000), claimedBy: null });
    });

    it("gets a thread's review, or null", async () => {
      await opened.store.queue.put(sampleReview("q-get", "i9", 5_000));
      expect((await opened.second.queue.get("q-get"))?.request.actionRequests[0]?.args).toEqual({
        dish: "lasagna",
        price: 45,
      });
      expect(await opened.second.queue.get("no-such-thread")).toBeNull();
    });

    it("lets exactly one of two reviewers claim a review, and release gives it back", async () => {
      await opened.store.queue.put(sampleReview("q-claim", "i1"));
      const results = await Promise.all([
        opened.store.queue.claim("q-claim", "i1", "alice"),
        opened.second.queue.claim("q-claim", "i1", "bob"),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results[0] ? "alice" : "bob";
      expect((await opened.store.queue.get("q-claim"))?.claimedBy).toBe(winner);
      expect(await opened.store.queue.claim("q-claim", "i1", winner)).toBe(false);
      await opened.second.queue.release("q-claim", "i1");
      expect(await opened.store.queue.claim("q-claim", "i1", "carol")).toBe(true);
    });

    it("notes who has a review's card open, and when; hide clears only that reviewer's note", async () => {
      await opened.store.queue.put(sampleReview("q-shown", "i1"));
      const before = Date.now();
      await opened.store.queue.show("q-shown", "i1", "mom");
      const shown = await opened.second.queue.get("q-shown");
      expect(shown?.shownTo?.reviewer).toBe("mom");
      expect(shown?.shownTo?.at).toBeGreaterThanOrEqual(before);
      expect(shown?.shownTo?.at).toBeLessThanOrEqual(Date.now());
      await opened.second.queue.show("q-shown", "i1", "dad");
      await opened.store.queue.hide("q-shown", "i1", "mom");
      const listed = (await opened.store.queue.list()).find((review) => review.threadId === "q-shown");
      expect(listed?.shownTo?.reviewer).toBe("dad");
      await opened.second.queue.hide("q-shown", "i1", "dad");
      expect(await opened.store.queue.get("q-shown")).toEqual({
        ...sampleReview("q-shown", "i1"),
        claimedBy: null,
      });
      // A note on a review that is gone changes nothing.
      await opened.store.queue.show("q-shown", "i-gone", "mom");
      expect((await opened.store.queue.get("q-shown"))?.shownTo).toBeUndefined();
    });

    it("removes an answered review, after which it cannot be claimed", async () => {
      await opened.store.queue.put(sampleReview("q-rm", "i1"));
      await opened.second.queue.removeStale("q-rm", null);
      await opened.second.queue.removeStale("q-rm", null);
      expect(await opened.store.queue.get("q-rm")).toBeNull();
      expect(await opened.store.queue.claim("q-rm", "i1", "alice")).toBe(false);
      expect(await opened.store.queue.claim("q-missing", "i1", "alice")).toBe(false);
    });

    it("removes a thread's stale reviews but the current one, and leaves other threads alone", async () => {
      for (const [threadId, interruptId] of [
        ["q-stale", "i1"],
        ["q-stale", "i2"],
        ["q-stale", "i3"],
        ["q-kept", "i1"],
      ] as const)
        await opened.store.queue.put(sampleReview(threadId, interruptId));
      await opened.second.queue.removeStale("q-stale", "i2");
      const left = async () =>
        (await opened.store.queue.list())
          .filter((review) => review.threadId === "q-stale" || review.threadId === "q-kept")
          .map((review) => `${review.threadId}/${review.interruptId}`)
          .sort();
      expect(await left()).toEqual(["q-kept/i1", "q-stale/i2"]);
      await opened.second.queue.removeStale("q-stale", null);
      expect(await left()).toEqual(["q-kept/i1"]);
    });
  });

  describe("audit log", () => {
    it("appends each decision on a call once, chains the records and lists them by thread", async () => {
      await opened.store.audit.append(sampleEntry("a-1", "call-1"));
      await opened.second.audit.append(
        sampleEntry("a-2", "call-1", { decision: "rejected", outcome: "not_run" }),
      );
      await opened.second.audit.append(sampleEntry("a-1", "call-1", { outcome: "error" }));
      await opened.store.audit.append(
        sampleEntry("a-1", "call-2", { decision: "timed_out", reviewer: null }),
      );
      await opened.store.audit.append(
        sampleEntry("a-1", "call-2", { decision: "timed_out", reviewer: null }),
      );
      // The same call decided again by someone else (its first decision's run died before its checkpoint).
      await opened.store.audit.append(
        sampleEntry("a-1", "call-1", { decision: "rejected", reviewer: "dad" }),
      );
      const all = await opened.second.audit.list();
      expect(all.map((record) => record.seq)).toEqual([1, 2, 3, 4]);
      expect(all[1]?.prevHash).toBe(all[0]?.hash);
      const thread = await opened.store.audit.list({ threadId: "a-1" });
      expect(thread.map((record) => [record.toolCallId, record.decision, record.reviewer])).toEqual([
        ["call-1", "approved", "mom"],
        ["call-2", "timed_out", null],
        ["call-1", "rejected", "dad"],
      ]);
      expect(thread[0]?.args).toEqual({ restaurant: "Pasta Place", amount: 42, card: "****" });
      const head = { seq: 4, hash: all[3]?.hash };
      expect(await opened.store.audit.verify()).toEqual({ ok: true, count: 4, problems: [], head });
      // A head kept elsewhere is checked against the trail: here, one it never held.
      const forged = await opened.second.audit.verify({ seq: 4, hash: "0".repeat(16) });
      expect(forged.problems.map((problem) => [problem.seq, problem.kind])).toEqual([[4, "edited"]]);
    });

    it("lists the records of given calls only, oldest first, within a thread or across threads", async () => {
      for (const [threadId, call] of [
        ["c-1", "call-1"],
        ["c-1", "call-2"],
        ["c-2", "call-1"],
        ["c-1", "call-3"],
      ] as const)
        await opened.store.audit.append(sampleEntry(threadId, call));
      await opened.store.audit.append(
        sampleEntry("c-1", "call-1", { decision: "rejected", reviewer: "dad" }),
      );
      const of = (records: { threadId: string; toolCallId: string; decision: string }[]) =>
        records.map((record) => `${record.threadId}/${record.toolCallId}/${record.decision}`);
      expect(
        of(await opened.second.audit.list({ threadId: "c-1", toolCallIds: ["call-3", "call-1"] })),
      ).toEqual(["c-1/call-1/approved", "c-1/call-3/approved", "c-1/call-1/rejected"]);
      // The suite's stores are shared by its tests: other threads' records of a call-1 are left out here.
      const acrossThreads = await opened.second.audit.list({ toolCallIds: ["call-1"] });
      expect(of(acrossThreads).filter((line) => line.startsWith("c-"))).toEqual([
        "c-1/call-1/approved",
        "c-2/call-1/approved",
        "c-1/call-1/rejected",
      ]);
      expect(acrossThreads.every((record) => record.toolCallId === "call-1")).toBe(true);
      expect(await opened.second.audit.list({ threadId: "c-1", toolCallIds: [] })).toEqual([]);
      expect(await opened.second.audit.list({ threadId: "c-1", toolCallIds: ["call-9"] })).toEqual([]);
    });

    it("digests arguments with the store's own key: every handle on it agrees, and it is not a plain hash", () => {
      const args = { to: "ann", pin: "4821" };
      expect(opened.second.audit.digestArgs(args)).toBe(opened.store.audit.digestArgs(args));
      expect(opened.store.audit.digestArgs(args)).not.toContain(sha256(canonicalJson(args)));
      expect(createMemoryStore({ checkpointer: () => new MemorySaver() }).audit.digestArgs(args)).not.toBe(
        opened.store.audit.digestArgs(args),
      );
    });

    it("names an edited, a deleted and a reordered record", async () => {
      for (let call = 3; call <= 8; call++)
        await opened.store.audit.append(sampleEntry("a-1", `call-${call}`));
      await opened.harness.editDecision(2, "approved");
      await opened.harness.deleteRecord(4);
      await opened.harness.swapRecords(6, 7);
      const result = await opened.second.audit.verify();
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
      argsHash: opened.store.audit.digestArgs({ dish: "lasagna" }),
      startedAt,
      // Kept before the tool runs: who approved it survives a crash while it runs.
      decision: "approved" as const,
      reviewer: "rita",
    });

    it("lets exactly one of two runs start a call; the other gets the unfinished record", async () => {
      const results = await Promise.all([
        opened.store.executions.start(starting("x-1", 1_000)),
        opened.second.executions.start(starting("x-1", 2_000)),
      ]);
      expect(results.filter((result) => result === null)).toHaveLength(1);
      const loser = results.find((result) => result !== null);
      expect(loser).toMatchObject({ ...starting("x-1", 0), startedAt: expect.any(Number) as number });
      expect(loser).toMatchObject({ finishedAt: null, outcome: null, result: null });
      expect(await opened.store.executions.start(starting("x-1", 3_000))).toMatchObject({ finishedAt: null });
    });

    it("returns how a finished call ended, and keeps threads apart", async () => {
      expect(await opened.store.executions.start(starting("x-2", 1_000))).toBeNull();
      await opened.second.executions.finish("x-2", "call-1", {
        outcome: "error",
        result: "sold out",
        finishedAt: 1_500,
      });
      expect(await opened.second.executions.start(starting("x-2", 4_000))).toEqual({
        ...starting("x-2", 1_000),
        finishedAt: 1_500,
        outcome: "error",
        result: "sold out",
      });
      expect(await opened.second.executions.start(starting("x-3", 4_000))).toBeNull();
      expect(await opened.store.executions.get("x-2", "call-1")).toMatchObject({
        outcome: "error",
        result: "sold out",
      });
      expect(await opened.store.executions.get("x-4", "call-1")).toBeNull();
    });
  });

  describe("transcript and threads", () => {
    it("keeps messages in order and skips ones already stored", async () => {
      const message = (id: string, content: string) => ({
        type: "human",
        data: { id, content, role: undefined, name: undefined, tool_call_id: undefined },
      });
      await opened.store.transcript.append("t-1", [message("m1", "hello"), message("m2", "again")]);
      await opened.second.transcript.append("t-1", [message("m2", "again"), message("m3", "third")]);
      await opened.store.transcript.append("t-2", [message("m1", "other thread")]);
      const read = await opened.second.transcript.read("t-1");
      expect(read.map((stored) => stored.data.content)).toEqual(["hello", "again", "third"]);
      expect(await opened.store.transcript.read("t-none")).toEqual([]);
      expect(await opened.second.transcript.has("t-1", "m3")).toBe(true);
      expect(await opened.store.transcript.has("t-2", "m2")).toBe(false);
      expect(await opened.store.transcript.has("t-none", "m1")).toBe(false);
      // From a message on: that one and those after it, in this thread only; all of it for an unknown id.
      await opened.store.transcript.append("t-2", [message("m4", "later, elsewhere")]);
      const contents = async (threadId: string, from: string) =>
        (await opened.second.transcript.read(threadId, from)).map((stored) => stored.data.content);
      expect(await contents("t-1", "m2")).toEqual(["again", "third"]);
      expect(await contents("t-1", "m3")).toEqual(["third"]);
      expect(await contents("t-2", "m1")).toEqual(["other thread", "later, elsewhere"]);
      expect(await contents("t-1", "m-unknown")).toEqual(["hello", "again", "third"]);
      expect(await opened.store.transcript.read("t-none", "m1")).toEqual([]);
    });

    it("rejects a message without an id rather than storing duplicates on retry", async () => {
      const bare = {
        type: "ai",
        data: { content: "x", role: undefined, name: undefined, tool_call_id: undefined },
      };
      await expect(opened.store.transcript.append("t-3", [bare])).rejects.toThrow(/no id/);
    });

    it("records who acts in a thread and when it was created and last used", async () => {
      await opened.store.threads.touch("th-1", "joe");
      await opened.second.threads.touch("th-1", "mom");
      const info = await opened.store.threads.get("th-1");
      expect(info).toMatchObject({ threadId: "th-1", actingUser: "mom" });
      expect(info?.updatedAt).toBeGreaterThanOrEqual(info?.createdAt ?? Infinity);
      expect(await opened.store.threads.get("th-none")).toBeNull();
    });
  });

  it("keeps a graph paused at an interrupt and resumes it from another handle", async () => {
    const config = { configurable: { thread_id: `cp-${opened.harness.name}` } };
    await buildAskingGraph(opened.store.checkpointer).invoke({ log: ["start"] }, config);
    const resumed = buildAskingGraph(opened.second.checkpointer);
    const paused = await resumed.getState(config);
    expect(paused.next).toEqual(["ask"]);
    expect(paused.tasks[0]?.interrupts[0]?.value).toEqual({ question: "order lasagna?" });
    const done = await resumed.invoke(new Command({ resume: "yes" }), config);
    expect(done.log).toEqual(["start", "answer: yes"]);
  });

  it("knows a thread's latest checkpoint without loading it, and which one this handle wrote", async () => {
    const threadId = `heads-${opened.harness.name}`;
    const config = { configurable: { thread_id: threadId } };
    expect(await opened.store.heads.latest(threadId)).toBeNull();
    expect(opened.store.heads.writtenHere(threadId)).toBeUndefined();
    await buildAskingGraph(opened.store.checkpointer).invoke({ log: [] }, { ...config, durability: "exit" });
    const written = opened.store.heads.writtenHere(threadId);
    expect(written).toBe(
      (await opened.store.checkpointer.getTuple(config))?.config.configurable?.checkpoint_id,
    );
    expect(await opened.store.heads.latest(threadId)).toBe(written);
    expect(await opened.second.heads.latest(threadId)).toBe(written);
    // Another handle (another process, for the durable stores) moves the thread on.
    await buildAskingGraph(opened.second.checkpointer).invoke(new Command({ resume: "no" }), config);
    const moved = await opened.store.heads.latest(threadId);
    expect(moved).not.toBe(written);
    expect(moved).toBe(
      (await opened.store.checkpointer.getTuple(config))?.config.configurable?.checkpoint_id,
    );
    if (opened.harness.name !== "memory") expect(opened.store.heads.writtenHere(threadId)).toBe(written);
    expect(await opened.store.heads.latest("heads-none")).toBeNull();
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
