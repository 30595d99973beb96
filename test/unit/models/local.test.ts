import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { LocalRulesModel } from "../../../src/models/local/localModel.js";

// The demo server's tool shapes (names and argument schemas as `askfirst serve` advertises them).
const string = { type: "string" };
const tools = [
  { name: "list_resource_instances", schema: { type: "object", properties: { page: { type: "integer" } } } },
  {
    name: "create_access_request",
    schema: {
      type: "object",
      properties: { resource_instance: string, role: string, reason: string },
      required: ["resource_instance", "role", "reason"],
    },
  },
  {
    name: "list_access_requests",
    schema: {
      type: "object",
      properties: { status: { type: "string", enum: ["pending", "approved", "denied", "canceled"] } },
    },
  },
  {
    name: "approve_access_request",
    schema: {
      type: "object",
      properties: { access_request_id: string, reviewer_comment: string },
      required: ["access_request_id"],
    },
  },
  {
    name: "deny_access_request",
    schema: {
      type: "object",
      properties: { access_request_id: string, reviewer_comment: string },
      required: ["access_request_id"],
    },
  },
  {
    name: "create_operation_approval",
    schema: {
      type: "object",
      properties: { resource_instance: string, operation: string, reason: string },
      required: ["resource_instance", "operation", "reason"],
    },
  },
  { name: "list_operation_approvals", schema: { type: "object", properties: {} } },
  {
    name: "approve_operation_approval",
    schema: {
      type: "object",
      properties: { operation_approval_id: string },
      required: ["operation_approval_id"],
    },
  },
  {
    name: "list_dishes",
    schema: { type: "object", properties: { resource_instance: string }, required: ["resource_instance"] },
  },
  {
    name: "order_dish",
    schema: {
      type: "object",
      properties: { resource_instance: string, dish_name: string },
      required: ["resource_instance", "dish_name"],
    },
  },
].map((tool) => ({ ...tool, description: "" }));

const model = new LocalRulesModel().bindTools(tools);

async function firstCall(...messages: (HumanMessage | AIMessage | ToolMessage)[]) {
  const reply = await model.invoke(messages);
  return reply.tool_calls?.[0]
    ? { name: reply.tool_calls[0].name, args: reply.tool_calls[0].args }
    : reply.content;
}

function listed(name: string, structured: unknown, text = "listed") {
  const ai = new AIMessage({ content: "", tool_calls: [{ name, args: {}, id: "c1", type: "tool_call" }] });
  const result = new ToolMessage({
    content: text,
    tool_call_id: "c1",
    name,
    artifact: [{ type: "mcp_structured_content", data: structured }],
  });
  return [ai, result] as const;
}

describe("the local rules model", () => {
  it("maps the demo's plain requests to the loaded tools and fills their arguments", async () => {
    expect(await firstCall(new HumanMessage("list restaurants"))).toEqual({
      name: "list_resource_instances",
      args: {},
    });
    expect(
      await firstCall(new HumanMessage("ask for child-can-order on pizza palace because I am hungry")),
    ).toEqual({
      name: "create_access_request",
      args: { resource_instance: "pizza-palace", role: "child-can-order", reason: "I am hungry" },
    });
    expect(await firstCall(new HumanMessage("list pending access requests"))).toEqual({
      name: "list_access_requests",
      args: { status: "pending" },
    });
    expect(await firstCall(new HumanMessage("what's on the menu at sushi world"))).toEqual({
      name: "list_dishes",
      args: { resource_instance: "sushi-world" },
    });
    expect(
      await firstCall(
        new HumanMessage("ask for approval to order Truffle Pizza at pizza-palace because it is my birthday"),
      ),
    ).toEqual({
      name: "create_operation_approval",
      args: {
        resource_instance: "pizza-palace",
        operation: "order_dish:Truffle Pizza",
        reason: "it is my birthday",
      },
    });
  });

  it("uses names and ids earlier results showed: 'approve it' picks the one open request", async () => {
    const requests = {
      items: [
        { id: "ar_old", status: "approved" },
        { id: "ar_new", status: "pending" },
      ],
    };
    expect(
      await firstCall(
        new HumanMessage("list requests"),
        ...listed("list_access_requests", requests),
        new AIMessage("ok"),
        new HumanMessage("approve it"),
      ),
    ).toEqual({
      name: "approve_access_request",
      args: { access_request_id: "ar_new" },
    });
    const approvals = { items: [{ id: "oa_1", status: "pending" }] };
    expect(
      await firstCall(
        ...listed("list_operation_approvals", approvals),
        new AIMessage("ok"),
        new HumanMessage("approve it"),
      ),
    ).toEqual({
      name: "approve_operation_approval",
      args: { operation_approval_id: "oa_1" },
    });
    const menu = { items: [{ name: "Truffle Pizza", price: 18.5 }] };
    expect(
      await firstCall(
        ...listed("list_dishes", menu),
        new AIMessage("ok"),
        new HumanMessage("order a truffle pizza at pizza palace"),
      ),
    ).toEqual({
      name: "order_dish",
      args: { resource_instance: "pizza-palace", dish_name: "Truffle Pizza" },
    });
  });

  it("'I want to order' is an order, of a dish from the menu shown when it was listed", async () => {
    expect(await firstCall(new HumanMessage("I want to order a Margherita Pizza at pizza palace"))).toEqual({
      name: "order_dish",
      args: { resource_instance: "pizza-palace", dish_name: "Margherita Pizza" },
    });
    const menu = { items: [{ name: "Family Feast", price: 32 }] };
    expect(
      await firstCall(
        ...listed("list_dishes", menu),
        new AIMessage("ok"),
        new HumanMessage("please order the family feast from pizza palace"),
      ),
    ).toMatchObject({
      name: "order_dish",
      args: { dish_name: "Family Feast" },
    });
  });

  it("asks for what it could not find, and says what it can do when it does not understand", async () => {
    expect(await firstCall(new HumanMessage("approve it"))).toMatch(
      /I did not understand that\. I can: list resource instances/,
    );
    expect(await firstCall(new HumanMessage("list dishes"))).toBe(
      "To use list_dishes I need resource_instance; please say it in your request.",
    );
    // What a missing argument may be, where an earlier result showed it.
    const restaurants = { items: [{ key: "pizza-palace" }, { key: "sushi-world" }] };
    expect(
      await firstCall(
        new HumanMessage("list restaurants"),
        ...listed("list_resource_instances", restaurants),
        new AIMessage("ok"),
        new HumanMessage("list dishes"),
      ),
    ).toBe(
      "To use list_dishes I need resource_instance (one of pizza-palace, sushi-world); please say it in your request.",
    );
  });

  it("summarises tool results, including refusals, in sentences", async () => {
    const ai = new AIMessage({
      content: "",
      tool_calls: [{ name: "order_dish", args: {}, id: "c9", type: "tool_call" }],
    });
    const refused = new ToolMessage({
      content: "Rejected by the reviewer jane: no.",
      tool_call_id: "c9",
      name: "order_dish",
      status: "error",
    });
    expect(await firstCall(new HumanMessage("order"), ai, refused)).toBe(
      "Order dish did not go through: Rejected by the reviewer jane: no.",
    );
  });
});
