import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequests, describeAccessRequest } from "./requestViews.js";
import { addRequestTool, changesState, fields, type ToolDeps } from "./toolKit.js";

export function registerCreateAccessRequest(server: McpServer, { backend, actor }: ToolDeps): void {
  addRequestTool(server, accessRequests, {
    name: "create_access_request",
    title: "Ask for access",
    description:
      `Ask for a role on one of the ${backend.resourceType}, for yourself (the user this session acts for), ` +
      "with a reason a reviewer can judge. Creates a pending access request and returns its id; a reviewer " +
      "of that instance approves or denies it later (see list_access_requests). Fails if you already hold " +
      "the role or already have a pending request for it.",
    inputSchema: { resource_instance: fields.resourceInstance, role: fields.role, reason: fields.reason },
    annotations: changesState,
    act: (args) =>
      backend.createAccessRequest(actor, {
        resourceInstance: args.resource_instance,
        role: args.role,
        reason: args.reason,
      }),
    say: (request) =>
      `Created access request ${describeAccessRequest(request)}. A reviewer of ${request.resourceInstance} must approve it.`,
  });
}
