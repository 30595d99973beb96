import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { addTool, fields, readsOnly, toolResult, type ToolDeps } from "./toolKit.js";

const inputSchema = {
  action: fields.text("action", 100).describe("The action, e.g. read, create, update, delete, operate."),
  resource_instance: fields.resourceInstance,
};

const outputSchema = {
  user: z.string(),
  action: z.string(),
  resourceInstance: z.string(),
  allowed: z.boolean(),
};

export function registerCheckPermission(server: McpServer, { backend, actor }: ToolDeps): void {
  const spec = {
    name: "check_permission",
    title: "Check a permission",
    description:
      `Check whether you (the user this session acts for) may do \`action\` on one of the ${backend.resourceType}. ` +
      "Returns allowed true or false; it changes nothing. If not allowed, you may ask for a role with " +
      "create_access_request.",
    inputSchema,
    outputSchema,
    annotations: readsOnly,
  };
  addTool(server, spec, async (args) => {
    // Looked up first so a mistyped key gets a "not found" with a hint, not a silent "no".
    await backend.getResourceInstance(actor, args.resource_instance);
    const allowed = await backend.check(actor, args.action, args.resource_instance);
    const verdict = allowed ? "may" : "may not";
    return toolResult(`${actor} ${verdict} ${args.action} on ${args.resource_instance}.`, {
      user: actor,
      action: args.action,
      resourceInstance: args.resource_instance,
      allowed,
    });
  });
}
