import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { operationApprovals } from "./requestViews.js";
import { addListTool, fields, pageFields, pageRequest, readsOnly, type ToolDeps } from "./toolKit.js";

export function registerListOperationApprovals(server: McpServer, { backend, actor }: ToolDeps): void {
  addListTool(server, operationApprovals, {
    name: "list_operation_approvals",
    title: "List operation approvals",
    description:
      "List operation approvals, newest first, optionally filtered by status (pending, approved, denied, " +
      "canceled) and resource_instance. Reviewers see the approvals about the instances they review; " +
      "everyone else sees only their own. An approved one says whether it was already used.",
    inputSchema: {
      status: fields.status,
      resource_instance: fields.resourceInstance.optional().describe("Only approvals about this instance."),
      ...pageFields,
    },
    annotations: readsOnly,
    list: (args) =>
      backend.listOperationApprovals(actor, {
        ...pageRequest(args),
        status: args.status,
        resourceInstance: args.resource_instance,
      }),
  });
}
