import { expect, it } from "vitest";
import type { SuiteContext } from "../toolSuite.js";

const accessTools = [
  "list_resource_instances",
  "check_permission",
  "create_access_request",
  "list_access_requests",
  "approve_access_request",
  "deny_access_request",
  "cancel_access_request",
  "create_operation_approval",
  "list_operation_approvals",
  "approve_operation_approval",
  "deny_operation_approval",
  "cancel_operation_approval",
];

export function catalogTests(ctx: SuiteContext): void {
  it("offers every access tool and the demo tools, each with a description, annotations and output schema", async () => {
    const henry = await ctx.as("henry");
    const { tools } = await henry.client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining([...accessTools, "list_dishes", "order_dish"]));
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.annotations?.readOnlyHint, tool.name).toBeTypeOf("boolean");
      expect(tool.annotations?.destructiveHint, tool.name).toBeTypeOf("boolean");
      expect(tool.outputSchema, tool.name).toBeDefined();
    }
    const readOnly = tools.filter((tool) => tool.annotations?.readOnlyHint).map((tool) => tool.name);
    expect(readOnly.sort()).toEqual(
      [
        "check_permission",
        "list_access_requests",
        "list_dishes",
        "list_operation_approvals",
        "list_resource_instances",
      ].sort(),
    );
    // Identity is bound to the session: no tool takes a user argument.
    for (const tool of tools)
      expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).not.toContain("user");
  });

  it("describes request ids by the tool that shows them, not by one backend's id shape", async () => {
    const { tools } = await (await ctx.as("henry")).client.listTools();
    const idFields = {
      access_request_id: "list_access_requests",
      operation_approval_id: "list_operation_approvals",
    };
    const described: string[] = [];
    for (const tool of tools)
      for (const [field, listTool] of Object.entries(idFields)) {
        const property = tool.inputSchema.properties?.[field] as { description?: string } | undefined;
        if (!property) continue;
        described.push(`${tool.name}.${field}`);
        expect(property.description, `${tool.name}.${field}`).toContain(listTool);
        expect(property.description, `${tool.name}.${field}`).not.toMatch(/\b(ar|oa)_/);
      }
    // Every tool that acts on a request or an approval takes its id under these names.
    expect(described.sort()).toEqual([
      "approve_access_request.access_request_id",
      "approve_operation_approval.operation_approval_id",
      "cancel_access_request.access_request_id",
      "cancel_operation_approval.operation_approval_id",
      "deny_access_request.access_request_id",
      "deny_operation_approval.operation_approval_id",
    ]);
  });

  it("lists the four restaurants, a page at a time", async () => {
    const henry = await ctx.as("henry");
    const all = await henry.ok("list_resource_instances", {});
    const keys = (all.items as { key: string }[]).map((item) => item.key);
    expect(keys.sort()).toEqual(["burger-bonanza", "fancy-french", "pizza-palace", "sushi-world"]);
    expect(all.total).toBe(4);
    const second = await henry.call("list_resource_instances", { page: 2, per_page: 3 });
    expect((second.data.items as unknown[]).length).toBe(1);
    expect(second.text).toContain("4");
    const firstPage = await henry.call("list_resource_instances", { page: 1, per_page: 3 });
    expect(firstPage.text).toMatch(/page 2/);
  });

  it("checks permissions for the session's own user only", async () => {
    const joe = await ctx.as("joe");
    const henry = await ctx.as("henry");
    const rose = await ctx.as("rose");
    expect(
      (await joe.ok("check_permission", { action: "operate", resource_instance: "pizza-palace" })).allowed,
    ).toBe(true);
    const denied = await henry.call("check_permission", {
      action: "read",
      resource_instance: "pizza-palace",
    });
    expect(denied.data.allowed).toBe(false);
    expect(denied.text).toContain("henry may not read on pizza-palace");
    expect(
      (await rose.ok("check_permission", { action: "read", resource_instance: "burger-bonanza" })).allowed,
    ).toBe(true);
    expect(
      (await rose.ok("check_permission", { action: "delete", resource_instance: "burger-bonanza" })).allowed,
    ).toBe(false);
    // An argument claiming another identity changes nothing.
    const claimed = await henry.call("check_permission", {
      action: "read",
      resource_instance: "pizza-palace",
      user: "joe",
    });
    expect(claimed.data.allowed).toBe(false);
  });

  it("refuses list_dishes without read, with a hint to ask for the demo's role", async () => {
    const henry = await ctx.as("henry");
    const refused = await henry.call("list_dishes", { resource_instance: "pizza-palace" });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/^forbidden: /);
    expect(refused.text).toContain("create_access_request");
    expect(refused.text).toContain("child-can-order");
    const rose = await ctx.as("rose");
    const menu = await rose.ok("list_dishes", { resource_instance: "burger-bonanza" });
    const dishes = menu.dishes as { name: string; price: number; needsApproval: boolean }[];
    expect(dishes.length).toBeGreaterThan(0);
    for (const dish of dishes) expect(dish.needsApproval).toBe(dish.price > ctx.demo.priceLimit);
  });
}
