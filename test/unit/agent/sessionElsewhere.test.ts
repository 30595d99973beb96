import { afterEach, describe, expect, it } from "vitest";
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

  it("asks again here when the one who claimed it gives it back unanswered", async () => {
    let card: CardLeftOpen | undefined;
    const world = await openWorld(() => {
      card = new CardLeftOpen(async () => {
        const [queued] = await world.store.queue.list();
        if (!queued) throw new Error("nothing queued");
        await world.store.queue.claim("t1", queued.interruptId, "rita");
        await new Promise((resolve) => setTimeout(resolve, 40));
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
    const world = await openWorld(
      () =>
        new CardLeftOpen(async () => {
          const [queued] = await world.store.queue.list();
          if (!queued) throw new Error("nothing queued");
          claimed = queued.interruptId;
          await world.store.queue.claim("t1", queued.interruptId, "rita");
          setTimeout(() => cancel.abort(), 40);
        }),
    );

    await expect(
      world.asking.send("t1", "pay ann", { actingUser: "joe", signal: cancel.signal }),
    ).rejects.toBeInstanceOf(TurnCancelled);

    expect(await world.store.queue.get("t1")).toMatchObject({ interruptId: claimed, claimedBy: "rita" });
    expect(world.fake.received).toEqual([]);
    await world.fake.toolbox.close();
  });
});
