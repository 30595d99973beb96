import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPermitBackend } from "../../../../src/server/backends/permit/index.js";
import type { Backend } from "../../../../src/server/backends/types.js";
import { FakePermit } from "./fakePermit/server.js";

// Two `askfirst serve --backend permit` processes for one user: two backends on one Permit.
let fake: FakePermit;
let first: Backend;
let second: Backend;

beforeEach(async () => {
  fake = await FakePermit.start();
  const options = { timeoutMs: 2000, retry: { sleep: () => Promise.resolve() } };
  first = await openPermitBackend(fake.env(), options);
  second = await openPermitBackend(fake.env(), options);
});

afterEach(async () => {
  await first.close();
  await second.close();
  await fake.stop();
});

async function approved(operation: string): Promise<string> {
  const approval = await first.createOperationApproval("henry", {
    resourceInstance: "pizza-palace",
    operation,
    reason: "party",
  });
  await first.approveOperationApproval("joe", approval.id);
  return approval.id;
}

/** Permit writes henry's attributes slowly, so writes from the two processes overlap. */
function slowAttributeWrites(): void {
  fake.inject({
    method: "PATCH",
    path: /\/users\/henry$/,
    times: 20,
    status: 200,
    delayMs: 80,
    isPassingThrough: true,
  });
}

const truffle = "order_dish: Truffle Pizza";
const feast = "order_dish: Family Feast";

describe("Permit backend: operation approvals used from two processes", () => {
  it("keeps both processes' use records when their writes overlap", async () => {
    const truffleId = await approved(truffle);
    const feastId = await approved(feast);
    slowAttributeWrites();
    const [a, b] = await Promise.all([
      first.consumeOperationApproval("henry", "pizza-palace", truffle),
      second.consumeOperationApproval("henry", "pizza-palace", feast),
    ]);
    expect([a?.id, b?.id]).toEqual([truffleId, feastId]);
    const recorded = fake.state.user("henry")?.attributes.askfirst_used_operation_approvals as object;
    expect(Object.keys(recorded).sort()).toEqual([truffleId, feastId].sort());
    expect(await second.consumeOperationApproval("henry", "pizza-palace", truffle)).toBeNull();
    expect(await first.consumeOperationApproval("henry", "pizza-palace", feast)).toBeNull();
    expect(fake.state.user("henry")?.attributes.family_role).toBe("child");
  });

  it("lets only one of two overlapping orders use a single approval", async () => {
    const truffleId = await approved(truffle);
    slowAttributeWrites();
    const both = await Promise.all([
      first.consumeOperationApproval("henry", "pizza-palace", truffle),
      second.consumeOperationApproval("henry", "pizza-palace", truffle),
    ]);
    expect(both.filter((used) => used !== null).map((used) => used?.id)).toEqual([truffleId]);
    const seen = await first.listOperationApprovals("joe", { page: 1, perPage: 10 });
    expect(seen.items).toMatchObject([
      { id: truffleId, usedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown },
    ]);
  });
});
