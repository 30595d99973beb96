import { expect, it } from "vitest";
import type { SuiteContext } from "../toolSuite.js";
import type { Session } from "../toolClient.js";

async function grantPizza(henry: Session, joe: Session): Promise<void> {
  const request = await henry.ok("create_access_request", {
    resource_instance: "pizza-palace",
    role: "child-can-order",
    reason: "pizza night",
  });
  await joe.ok("approve_access_request", { access_request_id: request.id });
}

async function askForTruffle(henry: Session, operation = "order_dish:Truffle Pizza"): Promise<string> {
  const created = await henry.ok("create_operation_approval", {
    resource_instance: "pizza-palace",
    operation,
    reason: "it is my birthday",
  });
  expect(created).toMatchObject({ status: "pending", requester: "henry", operation, usedAt: null });
  return created.id as string;
}

export function operationApprovalTests(ctx: SuiteContext): void {
  it("plays the demo story: access, menu, refused order, approval, one order, then refused again", async () => {
    const henry = await ctx.as("henry");
    const joe = await ctx.as("joe");
    await grantPizza(henry, joe);
    const menu = await henry.ok("list_dishes", { resource_instance: "pizza-palace" });
    expect((menu.dishes as { name: string }[]).map((dish) => dish.name)).toContain("Truffle Pizza");
    const cheap = await henry.ok("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "margherita pizza",
    });
    expect(cheap).toMatchObject({ dish: "Margherita Pizza", approvalId: null });

    const refused = await henry.call("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Truffle Pizza",
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain("create_operation_approval");
    expect(refused.text).toContain("order_dish:Truffle Pizza");

    const id = await askForTruffle(henry);
    const pending = await joe.call("list_operation_approvals", { status: "pending" });
    expect(pending.text).toContain(id);
    // A blank comment, as models often send for optional fields, means no comment.
    expect(
      await joe.ok("approve_operation_approval", { operation_approval_id: id, reviewer_comment: " " }),
    ).toMatchObject({
      status: "approved",
      reviewer: "joe",
      reviewerComment: null,
    });
    const ordered = await henry.call("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Truffle Pizza",
    });
    expect(ordered.isError).toBe(false);
    expect(ordered.data).toMatchObject({ dish: "Truffle Pizza", approvalId: id });
    expect(ordered.text).toContain("used up");

    const again = await henry.call("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Truffle Pizza",
    });
    expect(again.isError).toBe(true);
    expect(again.text).toContain("create_operation_approval");
    const used = await henry.ok("list_operation_approvals", { status: "approved" });
    expect(used.items).toMatchObject([{ id, usedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown }]);
  });

  it("matches an approval to its dish, ignoring case and spacing; a plain order_dish approval covers any dish", async () => {
    const henry = await ctx.as("henry");
    const joe = await ctx.as("joe");
    await grantPizza(henry, joe);
    const forTruffle = await askForTruffle(henry, "ORDER_DISH : truffle  pizza");
    await joe.ok("approve_operation_approval", { operation_approval_id: forTruffle });
    const other = await henry.call("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Family Feast",
    });
    expect(other.isError).toBe(true);
    const generic = await askForTruffle(henry, "order_dish");
    await joe.ok("approve_operation_approval", { operation_approval_id: generic });
    const feast = await henry.ok("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Family Feast",
    });
    expect(feast.approvalId).toBe(generic);
    const truffle = await henry.ok("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Truffle Pizza",
    });
    expect(truffle.approvalId).toBe(forTruffle);
  });

  it("lets a user with operate order above the limit without an approval", async () => {
    const joe = await ctx.as("joe");
    const ordered = await joe.ok("order_dish", {
      resource_instance: "fancy-french",
      dish_name: "Beef Bourguignon",
    });
    expect(ordered).toMatchObject({ dish: "Beef Bourguignon", price: 34, approvalId: null });
  });

  it("uses no denied, canceled or still pending approval, and keeps decisions to reviewers", async () => {
    const henry = await ctx.as("henry");
    const joe = await ctx.as("joe");
    const rose = await ctx.as("rose");
    await grantPizza(henry, joe);
    const pending = await askForTruffle(henry);
    const order = { resource_instance: "pizza-palace", dish_name: "Truffle Pizza" };
    expect((await henry.call("order_dish", order)).isError).toBe(true);
    expect((await henry.call("approve_operation_approval", { operation_approval_id: pending })).text).toMatch(
      /^forbidden: /,
    );
    expect((await rose.call("cancel_operation_approval", { operation_approval_id: pending })).text).toMatch(
      /^forbidden: /,
    );
    expect((await rose.ok("list_operation_approvals", {})).total).toBe(0);
    expect(
      await joe.ok("deny_operation_approval", {
        operation_approval_id: pending,
        reviewer_comment: "too pricey",
      }),
    ).toMatchObject({
      status: "denied",
      reviewerComment: "too pricey",
    });
    expect((await henry.call("order_dish", order)).isError).toBe(true);
    const canceled = await askForTruffle(henry);
    expect(await henry.ok("cancel_operation_approval", { operation_approval_id: canceled })).toMatchObject({
      status: "canceled",
    });
    expect((await joe.call("approve_operation_approval", { operation_approval_id: canceled })).text).toMatch(
      /^conflict: /,
    );
    expect((await henry.call("order_dish", order)).isError).toBe(true);
  });

  it("lets two orders race for one approval and only one of them win", async () => {
    const henry = await ctx.as("henry");
    const henryAgain = await ctx.as("henry");
    const joe = await ctx.as("joe");
    await grantPizza(henry, joe);
    await joe.ok("approve_operation_approval", { operation_approval_id: await askForTruffle(henry) });
    const order = { resource_instance: "pizza-palace", dish_name: "Truffle Pizza" };
    const results = await Promise.all([
      henry.call("order_dish", order),
      henryAgain.call("order_dish", order),
    ]);
    expect(results.filter((result) => !result.isError)).toHaveLength(1);
  });
}
