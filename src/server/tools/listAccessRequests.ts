import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequests } from "./requestViews.js";
import { addListTool, fields, pageFields, pageRequest, readsOnly, type ToolDeps } from "./toolKit.js";

export function registerListAccessRequests(server: McpServer, { backend, actor }: ToolDeps): void {
  addListTool(server, accessRequests, {
    name: "list_access_requests",
    title: "List access requests",
    description:
      "List access requests, newest first, optionally filtered by status (pending, approved, denied, " +
      "canceled), role and resource_instance. Reviewers see the requests about the instances they review; " +
      "everyone else sees only their own. Use it to find a request's id or to see whether it was decided.",
    inputSchema: {
      status: fields.status,
      role: fields.role.optional().describe("Only requests for this role."),
      resource_instance: fields.resourceInstance.optional().describe("Only requests about this instance."),
      ...pageFields,
    },
    annotations: readsOnly,
    list: (args) =>
      backend.listAccessRequests(actor, {
        ...pageRequest(args),
        status: args.status,
        role: args.role,
        resourceInstance: args.resource_instance,
      }),
  });
}
