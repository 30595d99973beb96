import { expect, it } from "vitest";
import type { SuiteContext } from "../toolSuite.js";
import type { Session } from "../toolClient.js";

async function snapshot(joe: Session): Promise<unknown> {
  const requests = await joe.ok("list_access_requests", { per_page: 100 });
  const approvals = await joe.ok("list_operation_approvals", { per_page: 100 });
  return { requests: requests.items, approvals: approvals.items };
}

export function badInputTests(ctx: SuiteContext): void {
  it("answers bad arguments with a clear one-line error and changes nothing", async () => {
    const henry = await ctx.as("henry");
    const joe = await ctx.as("joe");
    const before = await snapshot(joe);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        "create_access_request",
        { resource_instance: "pizza-pal", role: "child-can-order", reason: "x" },
        /^not_found: .*pizza-pal.*list_resource_instances/,
      ],
      [
        "create_access_request",
        { resource_instance: "pizza-palace", role: "king", reason: "x" },
        /^invalid: unknown role "king".*child-can-order/,
      ],
      [
        "create_access_request",
        { resource_instance: "pizza-palace", role: "child-can-order" },
        /reason is required/,
      ],
      [
        "create_access_request",
        { resource_instance: 42, role: "child-can-order", reason: "x" },
        /resource_instance must be a string/,
      ],
      [
        "create_access_request",
        { resource_instance: "pizza-palace", role: "child-can-order", reason: "x".repeat(1001) },
        /reason must be at most 1000 characters/,
      ],
      [
        "create_access_request",
        { resource_instance: "pizza-palace", role: "child-can-order", reason: "   " },
        /reason must not be empty/,
      ],
      ["check_permission", { action: "read", resource_instance: "nowhere" }, /^not_found: .*nowhere/],
      [
        "list_access_requests",
        { status: "maybe" },
        /status must be one of pending, approved, denied, canceled/,
      ],
      ["list_access_requests", { per_page: 1000 }, /per_page must be between 1 and 100/],
      ["list_resource_instances", { page: "two" }, /page must be a number/],
      ["list_operation_approvals", { resource_instance: "nowhere" }, /^not_found: /],
      ["order_dish", { resource_instance: "burger-bonanza", dish_name: "Caviar" }, /forbidden|not_found/],
      [
        "create_operation_approval",
        { resource_instance: "pizza-palace", operation: "o".repeat(201), reason: "x" },
        /operation must be at most 200 characters/,
      ],
    ];
    for (const [tool, args, expected] of cases) {
      const result = await henry.call(tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args).slice(0, 80)}`).toBe(true);
      expect(result.text).toMatch(expected);
    }
    // Asked of a reviewer: to a user who reviews nothing, a backend may answer "forbidden" for any id.
    const unknownIds: [string, Record<string, unknown>, RegExp][] = [
      [
        "approve_access_request",
        { access_request_id: "ar_nope" },
        /^not_found: .*ar_nope.*list_access_requests/,
      ],
      ["deny_operation_approval", { operation_approval_id: "oa_nope" }, /^not_found: .*oa_nope/],
    ];
    for (const [tool, args, expected] of unknownIds) {
      const result = await joe.call(tool, args);
      expect(result.isError, tool).toBe(true);
      expect(result.text).toMatch(expected);
    }
    expect(await snapshot(joe)).toEqual(before);
  });

  it("names the dishes when a dish is unknown, and places no order", async () => {
    const rose = await ctx.as("rose");
    const result = await rose.call("order_dish", {
      resource_instance: "burger-bonanza",
      dish_name: "Caviar",
    });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(
      /^not_found: burger-bonanza has no dish "Caviar"; its dishes: .*Classic Burger/,
    );
  });

  it("does not let anyone act on another user's request", async () => {
    const henry = await ctx.as("henry");
    const rose = await ctx.as("rose");
    const joe = await ctx.as("joe");
    const mine = await henry.ok("create_access_request", {
      resource_instance: "pizza-palace",
      role: "child-can-order",
      reason: "pizza",
    });
    const before = await snapshot(joe);
    expect((await rose.call("cancel_access_request", { access_request_id: mine.id })).isError).toBe(true);
    expect((await rose.call("approve_access_request", { access_request_id: mine.id })).isError).toBe(true);
    expect((await rose.ok("list_access_requests", {})).total).toBe(0);
    expect(await snapshot(joe)).toEqual(before);
  });
}
