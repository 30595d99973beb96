import { MemorySaver, emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { watchHeads } from "../../../src/store/heads.js";

/**
 * A cancelled run's last writes: LangGraph throws at once, then writes pending writes and, once they have
 * ended, the checkpoint of where it stopped. `settled` must wait for both, the second not yet begun.
 */
describe("CheckpointHeads.settled", () => {
  const config = { configurable: { thread_id: "t", checkpoint_ns: "" } };

  it("waits for a checkpoint write that begins only once an earlier write has ended", async () => {
    const saver = new MemorySaver();
    let finishWrites: () => void = () => undefined;
    const writesHeld = new Promise<void>((resolve) => (finishWrites = resolve));
    const putWrites = saver.putWrites.bind(saver);
    saver.putWrites = async (...args) => {
      await writesHeld;
      return putWrites(...args);
    };
    const heads = watchHeads(saver, () => Promise.resolve(null));
    const checkpoint = { ...emptyCheckpoint(), id: "cp-1" };
    // As LangGraph does: the checkpoint is put in a promise callback once the pending writes have ended.
    const chained = saver
      .putWrites(
        { configurable: { ...config.configurable, checkpoint_id: "cp-0" } },
        [["messages", "first"]],
        "task-1",
      )
      .then(() => saver.put(config, checkpoint, { source: "loop", step: 0, parents: {} }));
    let settled = false;
    const settling = heads.settled("t").then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    finishWrites();
    await settling;
    expect(heads.writtenHere("t")).toBe("cp-1");
    await chained;
  });

  it("resolves at once for a thread with nothing under way", async () => {
    const heads = watchHeads(new MemorySaver(), () => Promise.resolve(null));
    await expect(heads.settled("idle")).resolves.toBeUndefined();
  });
});
