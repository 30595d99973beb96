import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import {
  answerOldest,
  followQueue,
  noteStops,
  stopAfter,
  type NextReviews,
  type Stop,
} from "../../../../src/cli/commands/reviewNext.js";
import { AskfirstError, ExitCode } from "../../../../src/errors.js";
import { cancelledAtTerminal } from "../../../../src/review/answers.js";
import type { Reviewer } from "../../../../src/review/decisions.js";
import { createMemoryQueue } from "../../../../src/store/memory.js";
import type { PendingReview, ReviewQueue } from "../../../../src/store/types.js";
import { sampleReview } from "../../store/harness.js";

describe("what ends askfirst review --follow after a card", () => {
  it("is a card cancelled at the terminal or left unanswered, not a person's answer", () => {
    const reject = (extra: object) => ({
      decisions: [{ type: "reject" as const, ...extra }],
      reviewer: "mom",
    });
    expect(stopAfter(reject({ message: "no answer within 5m (timed out)", timedOut: true }))).toBe(
      "A card went unanswered",
    );
    expect(stopAfter(reject({ message: cancelledAtTerminal }))).toBe("A card was cancelled");
    expect(stopAfter(reject({ message: "too much today" }))).toBeNull();
    expect(stopAfter(reject({}))).toBeNull();
    expect(stopAfter({ decisions: [{ type: "approve" }], reviewer: "mom" })).toBeNull();
  });
});

describe("a reviewer watched for --follow", () => {
  const { request } = sampleReview("t", "i");
  const answering = (message: string): Reviewer => ({
    name: "mom",
    review: () => Promise.resolve({ decisions: [{ type: "reject", message }], reviewer: "mom" }),
  });

  it("notes the first answer that says the person is not there, and answers as the reviewer did", async () => {
    const stops: { reason: Stop } = { reason: null };
    const reviewer = noteStops(answering("too much"), stops);
    expect(reviewer.name).toBe("mom");
    expect(await reviewer.review(request)).toEqual({
      decisions: [{ type: "reject", message: "too much" }],
      reviewer: "mom",
    });
    expect(stops.reason).toBeNull();
    await noteStops(answering(cancelledAtTerminal), stops).review(request);
    expect(stops.reason).toBe("A card was cancelled");
  });

  it("does not count a card closed because it was answered elsewhere", async () => {
    const stops: { reason: Stop } = { reason: null };
    const closed = new AbortController();
    closed.abort();
    await noteStops(answering(cancelledAtTerminal), stops).review(request, closed.signal);
    expect(stops.reason).toBeNull();
  });
});

/** --follow over `queue`, as mom, at 5 s: what it writes, and a Ctrl-C once it waits with nothing to answer. */
function following(queue: ReviewQueue, answer: NextReviews["answer"]) {
  const cancel = new AbortController();
  const written: string[] = [];
  const next: NextReviews = {
    queue,
    reviewer: "mom",
    clock: () => 5_000,
    write: (text) => {
      written.push(text);
      if (text.startsWith("Waiting for reviews")) setTimeout(() => cancel.abort(), 10);
    },
    signal: cancel.signal,
    answer,
    stopped: () => null,
  };
  return { next, written };
}

describe("askfirst review --follow", () => {
  it("passes over a review answered elsewhere first, answers the next, and waits until Ctrl-C", async () => {
    const queue = createMemoryQueue();
    await queue.put(sampleReview("t-old", "i1", 1_000));
    await queue.put(sampleReview("t-new", "i2", 2_000));
    const answered: string[] = [];
    const { next, written } = following(queue, async (threadId) => {
      await queue.removeStale(threadId, null);
      if (threadId === "t-old")
        throw new AskfirstError(`the review in thread ${threadId} was already answered by someone else`, {
          code: "review_taken",
          source: "user",
        });
      answered.push(threadId);
      return ExitCode.ok;
    });

    expect(await followQueue(next)).toBe(ExitCode.interrupted);

    expect(answered).toEqual(["t-new"]);
    expect(written).toEqual([
      "The oldest review waiting (of 2), in thread t-old:\n",
      "askfirst: the review in thread t-old was already answered by someone else\n",
      "The oldest review waiting, in thread t-new:\n",
      "Waiting for reviews (Ctrl-C stops)…\n",
    ]);
  });

  it("leaves a review whose card is open for someone else, and waits", async () => {
    const queue = createMemoryQueue(() => 4_000);
    await queue.put(sampleReview("t-seen", "i1", 1_000));
    await queue.show("t-seen", "i1", "dad");
    const { next, written } = following(queue, () => Promise.reject(new Error("nothing should be answered")));

    expect(await followQueue(next)).toBe(ExitCode.interrupted);
    expect(written).toEqual(["Waiting for reviews (Ctrl-C stops)…\n"]);
  });
});

describe("askfirst review with no thread", () => {
  /** A queue listing `reviews` as they are, claims and all (the memory queue keeps no claim owners). */
  const listing = (reviews: PendingReview[]): ReviewQueue => ({
    ...createMemoryQueue(),
    list: () => Promise.resolve(reviews),
  });
  const claimed = (threadId: string, owner: string): PendingReview => ({
    ...sampleReview(threadId, "i1", 1_000),
    claimedBy: "dad",
    claim: { owner, claimedAt: 2_000 },
  });
  const oldest = async (queue: ReviewQueue) => {
    const answered: string[] = [];
    const { next, written } = following(queue, (threadId) => {
      answered.push(threadId);
      return Promise.resolve(ExitCode.ok);
    });
    expect(await answerOldest(next)).toBe(ExitCode.ok);
    return { answered, written };
  };

  it("takes a review whose claim was left by a process that is gone, and says so", async () => {
    // No process has pid 2^22 + 1 (above Linux's pid_max), so its claim is left.
    const { answered, written } = await oldest(listing([claimed("t-left", `${hostname()}:4194305`)]));
    expect(answered).toEqual(["t-left"]);
    expect(written[0]).toBe(
      "The oldest review waiting, in thread t-left; dad began answering it in a process that is gone, and an answer here takes it over:\n",
    );
  });

  it("leaves a review another live process is answering", async () => {
    const { answered, written } = await oldest(listing([claimed("t-live", `${hostname()}:${process.pid}`)]));
    expect(answered).toEqual([]);
    expect(written).toEqual([
      "No review waits for an answer: 1 is being answered (askfirst pending lists it).\n",
    ]);
  });
});
