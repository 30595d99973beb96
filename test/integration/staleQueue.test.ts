import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import { sampleReview } from "../unit/store/harness.js";
import { createReviewWorld, queueSendMoney, type ReviewWorld } from "./reviewFixtures.js";

describe("askfirst pending lists only reviews that can still be answered", () => {
  let world: ReviewWorld;
  beforeAll(() => {
    world = createReviewWorld();
  });
  afterAll(() => world.cleanup());

  it("drops a review whose resume ran the tool and then failed", async () => {
    const asked = await queueSendMoney(world, { flags: ["-t", "thread-failed", "-u", "joe"] });
    expect(asked.result.code).toBe(3);
    // The model has nothing more to say: the resumed run fails after the money was sent.
    const failed = await world.cli(["review", "thread-failed", "--approve", "-m", world.model("mute", [])]);
    expect(failed.code).toBe(1);
    expect(world.serverCalls()).toHaveLength(1);
    expect((await world.cli(["pending"])).stdout).toBe("No reviews are pending.\n");
    const again = await world.cli(["review", "thread-failed", "--approve", "-m", world.model("mute", [])]);
    expect(again.stderr).toContain("thread thread-failed has no review waiting");
    expect(world.serverCalls()).toHaveLength(1);
  });

  it("drops a thread's leftover review once a run of the thread ends", async () => {
    // What a process that died after its run ended, before removing the review it answered, leaves behind.
    const store = await openStore(world.store, { cwd: world.folder, checkpointer: false });
    await store.queue.put(sampleReview("thread-left", "a".repeat(32), Date.now()));
    await store.close();
    expect((await world.cli(["pending"])).stdout).toContain("thread thread-left");
    const chat = await world.cli(
      ["chat", "-t", "thread-left", "-u", "joe", "-q", "hello"].concat([
        "-m",
        world.model("hello", [{ text: "Hello." }]),
      ]),
    );
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain("agent: Hello.");
    expect((await world.cli(["pending"])).stdout).toBe("No reviews are pending.\n");
  });
});
