import { describe, expect, it, vi } from "vitest";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { askingMessageId, askWhileWatching } from "../../../src/agent/answeredElsewhere.js";
import { toStored } from "../../../src/agent/messages.js";
import type { Reviewer, ReviewRequest, ReviewResponse } from "../../../src/review/decisions.js";
import { createMemoryQueue } from "../../../src/store/memory.js";
import type { PendingReview } from "../../../src/store/types.js";
import { sampleReview } from "../store/harness.js";

const approveAll = (request: ReviewRequest, reviewer: string): ReviewResponse => ({
  decisions: request.actionRequests.map(() => ({ type: "approve" as const })),
  reviewer,
});

/** A memory queue holding one review, and every note of an open card it was given. */
async function queueWithOneReview() {
  const queue = createMemoryQueue();
  const notes: string[] = [];
  const show = queue.show.bind(queue);
  const hide = queue.hide.bind(queue);
  queue.show = (threadId, interruptId, reviewer) => {
    notes.push(`show ${reviewer}`);
    return show(threadId, interruptId, reviewer);
  };
  queue.hide = (threadId, interruptId, reviewer) => {
    notes.push(`hide ${reviewer}`);
    return hide(threadId, interruptId, reviewer);
  };
  await queue.put(sampleReview("t1", "i1"));
  const review: PendingReview = { ...sampleReview("t1", "i1"), claimedBy: null };
  return { queue, notes, review };
}

describe("a card open while the queue is watched", () => {
  it("tells the queue it is open here, again at each look, and clears that when it closes", async () => {
    const { queue, notes, review } = await queueWithOneReview();
    const seen: (string | undefined)[] = [];
    const shows = () => notes.filter((note) => note === "show mom").length;
    const slow: Reviewer = {
      name: "mom",
      review: async (request) => {
        // Answered only after the watch has looked twice, however slowly its timer fires.
        await vi.waitFor(() => expect(shows()).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 1 });
        seen.push((await queue.get("t1"))?.shownTo?.reviewer);
        return approveAll(request, "mom");
      },
    };

    const asked = await askWhileWatching(queue, review, slow, 5);

    expect(asked).toEqual({ answer: approveAll(review.request, "mom") });
    expect(seen).toEqual(["mom"]);
    expect(notes.at(-1)).toBe("hide mom");
    expect((await queue.get("t1"))?.shownTo).toBeUndefined();
  });

  it("is never noted when it is answered before the first look", async () => {
    const { queue, notes, review } = await queueWithOneReview();
    const quick: Reviewer = { name: "mom", review: (request) => Promise.resolve(approveAll(request, "mom")) };

    await askWhileWatching(queue, review, quick, 1_000);

    expect(notes).toEqual([]);
  });

  it("leaves another reviewer's note when it closes", async () => {
    const { queue, notes, review } = await queueWithOneReview();
    const slow: Reviewer = {
      name: "mom",
      review: async (request) => {
        // Once the watch has noted mom's card, dad opens his.
        await vi.waitFor(() => expect(notes).toContain("show mom"), { timeout: 5_000, interval: 1 });
        await queue.show("t1", "i1", "dad");
        return approveAll(request, "mom");
      },
    };

    await askWhileWatching(queue, review, slow, 5);

    expect((await queue.get("t1"))?.shownTo?.reviewer).toBe("dad");
  });
});

describe("the message a review was asked for", () => {
  it("is the AI message that made its calls, found in a run's stored messages", async () => {
    const { review } = await queueWithOneReview();
    const asking = new AIMessage({
      id: "ai_2",
      content: "",
      tool_calls: [{ id: "call-1", name: "order_dish", args: { dish: "lasagna", price: 45 } }],
    });
    const earlier = new AIMessage({
      id: "ai_1",
      content: "",
      tool_calls: [{ id: "call-0", name: "order_dish", args: {} }],
    });
    const stored = [new HumanMessage({ id: "h", content: "order" }), earlier, asking].map(toStored);
    expect(askingMessageId(stored, review)).toBe("ai_2");
    expect(askingMessageId(stored.slice(0, 2), review)).toBeUndefined();
  });
});
