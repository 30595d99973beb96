import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequests, describeAccessRequest } from "./requestViews.js";
import { addRequestTool, changesState, fields, type ToolDeps } from "./toolKit.js";

export function registerApproveAccessRequest(server: McpServer, { backend, actor }: ToolDeps): void {
  addRequestTool(server, accessRequests, {
    name: "approve_access_request",
    title: "Approve an access request",
    description:
      "Approve a pending access request: the requester gets the role on that instance at once. Only a " +
      "reviewer of the instance may approve, never the requester; a request is decided once, so approving " +
      "one that was already decided fails with a conflict that says who decided it. Find ids with " +
      "list_access_requests (status pending).",
    inputSchema: { access_request_id: fields.accessRequestId, reviewer_comment: fields.reviewerComment },
    annotations: changesState,
    act: (args) => backend.approveAccessRequest(actor, args.access_request_id, args.reviewer_comment),
    say: (request) =>
      `Approved: ${describeAccessRequest(request)}. ${request.requester} now holds ${request.role} on ${request.resourceInstance}.`,
  });
}
