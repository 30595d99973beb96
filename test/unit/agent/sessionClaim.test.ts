import { afterEach, describe, expect, it, vi } from "vitest";
import { openSession } from "../../../src/agent/session.js";
import { TurnCancelled } from "../../../src/errors.js";
import { ScriptedChatModel } from "../../../src/models/scripted.js";
import {
  ReviewTakenElsewhere,
  type Reviewer,
  type ReviewRequest,
  type ReviewResponse,
} from "../../../src/review/decisions.js";
import type { Policy } from "../../../src/review/policy.js";
import { openStore } from "../../../src/store/open.js";
import type { Store } from "../../../src/store/types.js";
import { createFakeToolbox } from "../../fixtures/fakeMcp.js";

const policy: Policy = { rules: [{ tool: "pay", tier: "confirm" }], default: "allow" };
const payAnn = { tool_calls: [{ name: "pay", args: { to: "ann", amount: 5 } }] };

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A reviewer who is slow to answer: before it approves, `meanwhile` runs (another reviewer acting first). */
class SlowReviewer implements Reviewer {
  readonly name = "slow";
  constructor(private readonly meanwhile: () => Promise<void>) {}
  async review(request: ReviewRequest): Promise<ReviewResponse> {
    await this.meanwhile();
    return {
      decisions: request.actionRequests.map(() => ({ type: "approve" as const })),
      reviewer: this.name,
    };
  }
}

describe("a review asked in the session that queued it", () => {
  it("is refused to its own reviewer when another reviewer answered it meanwhile, and the call runs once", async () => {
    store = await openStore("memory", { cwd: process.cwd() });
    const fake = createFakeToolbox();
    // Both sessions play the same script, from one shared cursor: the first asks, the second answers.
    const model = new ScriptedChatModel([payAnn, { text: "paid" }], "two sessions");
    const elsewhere = openSession({ store, model, toolbox: fake.toolbox, policy });
    let answeredElsewhere: Awaited<ReturnType<typeof elsewhere.resume>> | undefined;
    const asking = openSession({
      store,
      model,
      toolbox: fake.toolbox,
      policy,
      reviewer: new SlowReviewer(async () => {
        answeredElsewhere = await elsewhere.resume("t1", {
          decisions: [{ type: "reject" }],
          reviewer: "quick",
        });
      }),
    });

    await expect(asking.send("t1", "pay ann", { actingUser: "joe" })).rejects.toThrow(
      /already answered by someone else/,
    );
    expect(answeredElsewhere?.calls[0]).toMatchObject({ decision: "rejected", reviewer: "quick" });
    expect(fake.received).toEqual([]);
    expect(await store.queue.list()).toEqual([]);
    expect(await asking.pendingReview("t1")).toBeNull();
    const audit = await store.audit.list({ threadId: "t1" });
    expect(audit.map((entry) => [entry.decision, entry.reviewer])).toEqual([["rejected", "quick"]]);
    await fake.toolbox.close();
  });
});

describe("an answer given from another process", () => {
  /** A review of paying ann queued by a session with `policy`, and a session of another process with `theirs`. */
  async function askedHereAnsweredThere(theirs: Policy) {
    const opened = await openStore("memory", { cwd: process.cwd() });
    store = opened;
    const fake = createFakeToolbox();
    const model = new ScriptedChatModel([payAnn, { text: "paid" }], "two processes");
    const asking = openSession({ store: opened, model, toolbox: fake.toolbox, policy });
    const first = await asking.send("t1", "pay ann", { actingUser: "joe", onReview: "queue" });
    expect(first.status).toBe("pending");
    const other = openSession({ store: opened, model, toolbox: fake.toolbox, policy: theirs });
    return { store: opened, fake, asking, first, other };
  }

  it("is not applied when that process's policy would not ask about the same calls: nothing runs, the review stays", async () => {
    // The answering process allows everything: re-sorting the calls there must not drop the rejection.
    const {
      store,
      fake,
      asking,
      first,
      other: lax,
    } = await askedHereAnsweredThere({
      rules: [],
      default: "allow",
    });
    await expect(
      lax.resume("t1", { decisions: [{ type: "reject", message: "no" }], reviewer: "ann" }),
    ).rejects.toThrow(/the review asked about pay, but the policy here asks about nothing; nothing was run/);
    expect(fake.received).toEqual([]);
    expect(await store.audit.list({ threadId: "t1" })).toEqual([]);
    const still = await asking.pendingReview("t1");
    expect(still?.interruptId).toBe(first.review?.interruptId);
    expect(still?.claimedBy).toBeNull();
    // Answered with the policy that asked, it goes through as decided.
    const answered = await asking.resume("t1", {
      decisions: [{ type: "reject", message: "no" }],
      reviewer: "ann",
    });
    expect(answered.calls[0]).toMatchObject({ decision: "rejected", reviewer: "ann", outcome: "not_run" });
    expect(fake.received).toEqual([]);
  });

  it("is recorded under the rule the reviewer's card showed, when that process's policy words it otherwise", async () => {
    // The answering process asks about the same call, by its default tier.
    const { store, first, other } = await askedHereAnsweredThere({ rules: [], default: "confirm" });
    const shown = first.review?.request.context.actions[0]?.rule;
    expect(shown).toBe("rule 1 (pay)");
    const answered = await other.resume("t1", { decisions: [{ type: "approve" }], reviewer: "ann" });
    expect(answered.calls[0]).toMatchObject({ decision: "approved", rule: shown, outcome: "ok" });
    const audit = await store.audit.list({ threadId: "t1" });
    expect(audit).toMatchObject([{ decision: "approved", reviewer: "ann", tier: "confirm", rule: shown }]);
  });

  it("reaches only the review it was given for: if the thread waits on a later one, that one stays pending", async () => {
    store = await openStore("memory", { cwd: process.cwd() });
    const fake = createFakeToolbox();
    const payBob = { tool_calls: [{ name: "pay", args: { to: "bob", amount: 50 } }] };
    const model = new ScriptedChatModel([payAnn, payBob, { text: "done" }], "two reviews");
    const session = openSession({ store, model, toolbox: fake.toolbox, policy });
    const first = await session.send("t1", "pay", { actingUser: "joe", onReview: "queue" });
    const firstReview = first.review;
    if (!firstReview) throw new Error("expected a review");
    const second = await session.resume(
      "t1",
      { decisions: [{ type: "approve" }], reviewer: "quick" },
      {
        onReview: "queue",
      },
    );
    expect(second.review?.request.actionRequests[0]?.args).toEqual({ to: "bob", amount: 50 });
    // A late reviewer's approval of the first review, put back in the queue as a race would leave it.
    await store.queue.put({ ...firstReview, claimedBy: undefined } as never);
    const late = session as unknown as {
      applyAnswer(threadId: string, response: unknown, options: { queued: unknown }): Promise<unknown>;
    };
    await late.applyAnswer(
      "t1",
      { decisions: [{ type: "approve" }], reviewer: "late" },
      { queued: firstReview },
    );
    expect(fake.received.map((call) => call.args)).toEqual([{ to: "ann", amount: 5 }]);
    const waiting = await session.pendingReview("t1");
    expect(waiting?.interruptId).toBe(second.review?.interruptId);
    const audit = await store.audit.list({ threadId: "t1" });
    expect(audit.map((record) => record.reviewer)).toEqual(["quick"]);
  });
});

/**
 * A person at a card who does not answer: `meanwhile` runs once the card is up (someone elsewhere acting),
 * and the card stays until its signal aborts. Later cards (`then`) are answered at once.
 */
class CardLeftOpen implements Reviewer {
  readonly name = "here";
  readonly reasons: unknown[] = [];
  asked = 0;
  constructor(
    private readonly meanwhile: () => Promise<void>,
    private readonly then: ReviewResponse["decisions"][number] = { type: "approve" },
  ) {}

  async review(request: ReviewRequest, signal?: AbortSignal): Promise<ReviewResponse> {
    this.asked += 1;
    const all = (decision: ReviewResponse["decisions"][number]) => ({
      decisions: request.actionRequests.map(() => decision),
      reviewer: this.name,
    });
    if (this.asked > 1) return all(this.then);
    void this.meanwhile();
    await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
    this.reasons.push(signal?.reason);
    // What a terminal returns when its card is closed: never applied.
    return all({ type: "reject", message: "closed" });
  }
}

async function openWorld(reviewer: (other: ReturnType<typeof openSession>) => Reviewer) {
  const opened = await openStore("memory", { cwd: process.cwd() });
  store = opened;
  const fake = createFakeToolbox();
  // Both sessions play one script from a shared cursor: whichever runs next takes the next turn.
  const model = new ScriptedChatModel([payAnn, { text: "paid" }], "two terminals");
  const other = openSession({ store: opened, model, toolbox: fake.toolbox, policy });
  const asking = openSession({
    store: opened,
    model,
    toolbox: fake.toolbox,
    policy,
    reviewer: reviewer(other),
    queueWatchMs: 5,
  });
  return { store: opened, fake, asking, other };
}

describe("a review asked here and answered elsewhere", () => {
  it("closes the card, waits for that answer to run, and reports who answered, the decision and what followed", async () => {
    let card: CardLeftOpen | undefined;
    const world = await openWorld((other) => {
      card = new CardLeftOpen(async () => {
        await other.resume("t1", { decisions: [{ type: "approve" }], reviewer: "rita" });
      });
      return card;
    });

    const result = await world.asking.send("t1", "pay ann", { actingUser: "joe" });

    // Closed when the watch saw the claim, or the review gone once that answer ran (who then from the audit).
    expect(card?.reasons).toHaveLength(1);
    expect(card?.reasons[0]).toBeInstanceOf(ReviewTakenElsewhere);
    expect(result.status).toBe("done");
    expect(result.elsewhere?.by).toBe("rita");
    expect(result.elsewhere?.decisions).toEqual([{ tool: "pay", decision: "approved" }]);
    expect(result.elsewhere?.messages.map((message) => [message.getType(), message.content])).toEqual([
      ["tool", expect.stringContaining("ann")],
      ["ai", "paid"],
    ]);
    expect(world.fake.received).toHaveLength(1);
    const audit = await world.store.audit.list({ threadId: "t1" });
    expect(audit.map((entry) => [entry.decision, entry.reviewer])).toEqual([["approved", "rita"]]);
    expect(await world.store.queue.list()).toEqual([]);
    await world.fake.toolbox.close();
  });

  it("closes a card raised for a review the thread already waited on (a chat that starts on it) too", async () => {
    let card: CardLeftOpen | undefined;
    const world = await openWorld((other) => {
      card = new CardLeftOpen(async () => {
        await other.resume("t1", { decisions: [{ type: "approve" }], reviewer: "rita" });
      });
      return card;
    });
    const left = await world.asking.send("t1", "pay ann", { actingUser: "joe", onReview: "queue" });
    expect(left.status).toBe("pending");
    const waiting = await world.asking.pendingReview("t1");
    if (!waiting) throw new Error("expected a review waiting");

    const result = await world.asking.askWaiting("t1", waiting);

    expect(card?.reasons[0]).toBeInstanceOf(ReviewTakenElsewhere);
    expect(result.elsewhere?.by).toBe("rita");
    expect(result.elsewhere?.decisions).toEqual([{ tool: "pay", decision: "approved" }]);
    expect(world.fake.received).toHaveLength(1);
    const audit = await world.store.audit.list({ threadId: "t1" });
    expect(audit.map((entry) => [entry.decision, entry.reviewer])).toEqual([["approved", "rita"]]);
    await world.fake.toolbox.close();
  });

  it("asks again here when the one who claimed it gives it back unanswered", async () => {
    let card: CardLeftOpen | undefined;
    const world = await openWorld(() => {
      card = new CardLeftOpen(async () => {
        const [queued] = await world.store.queue.list();
        if (!queued) throw new Error("nothing queued");
        await world.store.queue.claim("t1", queued.interruptId, "rita");
        // Given back once the card here has closed on seeing the claim, however long the watch took.
        await vi.waitFor(() => expect(card?.reasons).toHaveLength(1));
        await world.store.queue.release("t1", queued.interruptId);
      });
      return card;
    });

    const result = await world.asking.send("t1", "pay ann", { actingUser: "joe" });

    expect(card?.asked).toBe(2);
    expect(result.elsewhere).toBeUndefined();
    expect(result.calls[0]).toMatchObject({ decision: "approved", reviewer: "here" });
    expect(world.fake.received).toHaveLength(1);
    await world.fake.toolbox.close();
  });

  it("stops waiting on Ctrl-C, leaving the review to whoever claimed it", async () => {
    const cancel = new AbortController();
    let claimed = "";
    let card: CardLeftOpen | undefined;
    const world = await openWorld(() => {
      card = new CardLeftOpen(async () => {
        const [queued] = await world.store.queue.list();
        if (!queued) throw new Error("nothing queued");
        claimed = queued.interruptId;
        await world.store.queue.claim("t1", queued.interruptId, "rita");
        // Ctrl-C once the card has closed on seeing the claim: while waiting for the answer given there.
        await vi.waitFor(() => expect(card?.reasons).toHaveLength(1));
        cancel.abort();
      });
      return card;
    });

    await expect(
      world.asking.send("t1", "pay ann", { actingUser: "joe", signal: cancel.signal }),
    ).rejects.toBeInstanceOf(TurnCancelled);

    expect(card?.reasons[0]).toBeInstanceOf(ReviewTakenElsewhere);
    expect(await world.store.queue.get("t1")).toMatchObject({ interruptId: claimed, claimedBy: "rita" });
    expect(world.fake.received).toEqual([]);
    await world.fake.toolbox.close();
  });
});
