import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPermitBackend } from "../../../../src/server/backends/permit/index.js";
import type { Backend } from "../../../../src/server/backends/types.js";
import { BackendError } from "../../../../src/server/backends/types.js";
import { FakePermit, fakeIds } from "./fakePermit/server.js";

let fake: FakePermit;
let backend: Backend;

beforeEach(async () => {
  fake = await FakePermit.start();
  backend = await openPermitBackend(fake.env(), {
    timeoutMs: 2000,
    retry: { sleep: () => Promise.resolve() },
  });
});

afterEach(async () => {
  await backend.close();
  await fake.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof BackendError) return error;
  throw new Error(`expected a BackendError, got ${String(error)}`);
}

const base = `/v2/facts/${fakeIds.project}/${fakeIds.env}`;
const henryRequests = `${base}/access_requests/${fakeIds.accessConfig}/user/henry/tenant/default`;
const approvals = `/v2/elements/${fakeIds.project}/${fakeIds.env}/config/${fakeIds.operationConfig}/operation_approval`;

describe("Permit backend: the family demo", () => {
  it("plays the whole story against Permit's endpoints", async () => {
    expect(await backend.check("henry", "read", "pizza-palace")).toBe(false);

    const request = await backend.createAccessRequest("henry", {
      resourceInstance: "pizza-palace",
      role: "child-can-order",
      reason: "I am hungry",
    });
    expect(request).toMatchObject({ requester: "henry", status: "pending", role: "child-can-order" });
    const created = fake.requests.find((r) => r.method === "POST" && r.path === henryRequests);
    expect(created?.authorization).toBe(`Bearer ${fakeIds.apiKey}`);
    expect(created?.body).toEqual({
      access_request_details: {
        tenant: "default",
        resource: "restaurants",
        resource_instance: "pizza-palace",
        role: "child-can-order",
      },
      reason: "I am hungry",
    });

    const listed = await backend.listAccessRequests("joe", { status: "pending", page: 1, perPage: 10 });
    expect(listed.items.map((item) => item.id)).toEqual([request.id]);
    const approved = await backend.approveAccessRequest("joe", request.id, "ok, one pizza");
    expect(approved).toMatchObject({ status: "approved", reviewer: "joe", reviewerComment: "ok, one pizza" });
    const put = fake.requests.find((r) => r.method === "PUT" && r.path.endsWith(`/${request.id}/approve`));
    expect(put?.path).toBe(
      `${base}/access_requests/${fakeIds.accessConfig}/user/joe/tenant/default/${request.id}/approve`,
    );
    expect(put?.body).toEqual({ reviewer_comment: "ok, one pizza" });
    expect(await backend.check("henry", "read", "pizza-palace")).toBe(true);

    const approval = await backend.createOperationApproval("henry", {
      resourceInstance: "pizza-palace",
      operation: "order_dish: Truffle Pizza",
      reason: "birthday",
    });
    expect(approval).toMatchObject({
      operation: "order_dish: Truffle Pizza",
      reason: "birthday",
      status: "pending",
      usedAt: null,
    });
    const filed = fake.requests.find((r) => r.method === "POST" && r.path === approvals);
    expect(filed?.authorization).toMatch(/^Bearer element_token_/);
    expect(
      await backend.consumeOperationApproval("henry", "pizza-palace", "order_dish: Truffle Pizza"),
    ).toBeNull();

    const yes = await backend.approveOperationApproval("joe", approval.id);
    expect(yes).toMatchObject({ status: "approved", reviewer: "joe" });
    const used = await backend.consumeOperationApproval("henry", "pizza-palace", "ORDER_DISH:truffle  pizza");
    expect(used).toMatchObject({ id: approval.id });
    expect(used?.usedAt).not.toBeNull();
    expect(
      await backend.consumeOperationApproval("henry", "pizza-palace", "order_dish: Truffle Pizza"),
    ).toBeNull();
    const seen = await backend.listOperationApprovals("joe", { page: 1, perPage: 10 });
    expect(seen.items[0]).toMatchObject({ id: approval.id, usedAt: used?.usedAt });
  });

  it("keeps each user to what they may see and do", async () => {
    const request = await backend.createAccessRequest("henry", {
      resourceInstance: "pizza-palace",
      role: "child-can-order",
      reason: "r",
    });
    expect((await backend.listAccessRequests("rose", { page: 1, perPage: 10 })).total).toBe(0);
    // Permit hides henry's request from rose, and "not yours" answers as "no such id" does.
    const byRose = await failureOf(backend.approveAccessRequest("rose", request.id));
    expect(byRose.code).toBe("forbidden");
    expect(byRose.message).toBe("only reviewers may approve access requests, and rose reviews nothing here");
    const madeUp = await failureOf(backend.approveAccessRequest("rose", "no-such-id"));
    expect([madeUp.code, madeUp.message]).toEqual([byRose.code, byRose.message]);
    expect((await failureOf(backend.approveAccessRequest("joe", "no-such-id"))).code).toBe("not_found");
    expect((await failureOf(backend.approveAccessRequest("henry", request.id))).code).toBe("forbidden");
    expect((await failureOf(backend.cancelAccessRequest("joe", request.id))).code).toBe("forbidden");
    expect(fake.requests.some((r) => r.method === "PUT")).toBe(false);

    await backend.denyAccessRequest("jane", request.id, "not today");
    const twice = await failureOf(backend.approveAccessRequest("joe", request.id));
    expect(twice.code).toBe("conflict");
    expect(twice.message).toContain("already denied by jane");
  });

  it("looks up an id the user cannot see in a few calls, as that user only", async () => {
    const approval = await backend.createOperationApproval("henry", {
      resourceInstance: "pizza-palace",
      operation: "order_dish: Truffle Pizza",
      reason: "r",
    });
    for (const id of [approval.id, "4f1c2d3e-0000-4000-8000-000000000000"]) {
      const before = fake.requests.length;
      const refused = await failureOf(backend.approveOperationApproval("rose", id));
      expect(refused.message).toBe(
        "only reviewers may approve operation approvals, and rose reviews nothing here",
      );
      const made = fake.requests.slice(before);
      expect(made.length).toBeLessThanOrEqual(3);
      const logins = made.filter((r) => r.path === "/v2/auth/elements_login_as");
      expect(logins.map((r) => (r.body as { user_id: string }).user_id)).toEqual(["rose"]);
    }
    const before = fake.requests.length;
    // An id no request has (changing the real one's last digit to "0" was that id 1 time in 16).
    const unknown = await failureOf(
      backend.cancelOperationApproval("joe", "9e8d7c6b-0000-4000-8000-000000000001"),
    );
    expect(unknown.message).toMatch(/^joe has no operation approval with id .*list_operation_approvals/);
    expect(fake.requests.length - before).toBeLessThanOrEqual(2);
  });

  it("refuses what the local backend refuses, before sending anything", async () => {
    const sent = () =>
      fake.requests.filter((r) => r.method === "POST" && r.path.includes("access_requests")).length;
    expect(
      (
        await failureOf(
          backend.createAccessRequest("henry", { resourceInstance: "nowhere", role: "parent", reason: "r" }),
        )
      ).code,
    ).toBe("not_found");
    expect(
      (
        await failureOf(
          backend.createAccessRequest("henry", {
            resourceInstance: "pizza-palace",
            role: "king",
            reason: "r",
          }),
        )
      ).message,
    ).toContain('unknown role "king"');
    expect(
      (
        await failureOf(
          backend.createAccessRequest("rose", {
            resourceInstance: "burger-bonanza",
            role: "child-can-order",
            reason: "r",
          }),
        )
      ).code,
    ).toBe("conflict");
    expect(
      (
        await failureOf(
          backend.createAccessRequest("mallory", {
            resourceInstance: "pizza-palace",
            role: "parent",
            reason: "r",
          }),
        )
      ).code,
    ).toBe("forbidden");
    expect(sent()).toBe(0);
    await backend.createAccessRequest("henry", {
      resourceInstance: "pizza-palace",
      role: "child-can-order",
      reason: "r",
    });
    const again = await failureOf(
      backend.createAccessRequest("henry", {
        resourceInstance: "pizza-palace",
        role: "child-can-order",
        reason: "r",
      }),
    );
    expect(again.code).toBe("conflict");
    expect(sent()).toBe(1);
  });

  it("without REQUESTABLE_ROLES, refuses Permit's own element roles and the reviewer roles", async () => {
    const open = await openPermitBackend(fake.env({ REQUESTABLE_ROLES: "", REVIEWER_ROLES: "parent" }), {
      timeoutMs: 2000,
      retry: { sleep: () => Promise.resolve() },
    });
    try {
      for (const role of ["_Reviewer_", "_Approved_", "parent"]) {
        const refused = await failureOf(
          open.createAccessRequest("henry", { resourceInstance: "pizza-palace", role, reason: "r" }),
        );
        expect(refused.code).toBe("forbidden");
        expect(refused.message).toMatch(/roles that can be asked for: child-can-order$/);
      }
      const asked = await open.createAccessRequest("henry", {
        resourceInstance: "pizza-palace",
        role: "child-can-order",
        reason: "r",
      });
      expect(asked.status).toBe("pending");
    } finally {
      await open.close();
    }
  });

  it("lets two concurrent orders use one approval only once", async () => {
    await backend.createAccessRequest("henry", {
      resourceInstance: "pizza-palace",
      role: "child-can-order",
      reason: "r",
    });
    const approval = await backend.createOperationApproval("henry", {
      resourceInstance: "pizza-palace",
      operation: "order_dish: Family Feast",
      reason: "party",
    });
    await backend.approveOperationApproval("jane", approval.id);
    const both = await Promise.all([
      backend.consumeOperationApproval("henry", "pizza-palace"),
      backend.consumeOperationApproval("henry", "pizza-palace"),
    ]);
    expect(both.filter((used) => used !== null).map((used) => used?.id)).toEqual([approval.id]);
    const recorded = fake.state.user("henry")?.attributes.askfirst_used_operation_approvals;
    expect(Object.keys(recorded as object)).toEqual([approval.id]);
    expect(fake.state.user("henry")?.attributes.family_role).toBe("child");
  });

  it("reads instances and roles back as keys when Permit names them by id", async () => {
    fake.state.isNamingByIds = true;
    const ask = { resourceInstance: "pizza-palace", role: "child-can-order", reason: "r" };
    const request = await backend.createAccessRequest("henry", ask);
    expect(request).toMatchObject({ resourceInstance: "pizza-palace", role: "child-can-order" });
    const listed = await backend.listAccessRequests("joe", {
      resourceInstance: "pizza-palace",
      page: 1,
      perPage: 5,
    });
    expect(listed.items.map((item) => item.id)).toEqual([request.id]);
    expect(await backend.approveAccessRequest("joe", request.id)).toMatchObject({
      status: "approved",
      role: "child-can-order",
    });
  });

  it("lists resource instances with their attributes, paged", async () => {
    const first = await backend.listResourceInstances("henry", { page: 1, perPage: 3 });
    expect(first.total).toBe(4);
    expect(first.items.map((item) => item.key)).toEqual(["pizza-palace", "burger-bonanza", "fancy-french"]);
    const pizza = await backend.getResourceInstance("henry", "pizza-palace");
    expect(pizza.attributes.name).toBe("Pizza Palace");
    expect((await failureOf(backend.getResourceInstance("henry", "nowhere"))).code).toBe("not_found");
  });
});
