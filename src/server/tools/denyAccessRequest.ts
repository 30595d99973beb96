import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequests, describeAccessRequest } from "./requestViews.js";
import { addRequestTool, changesState, fields, type ToolDeps } from "./toolKit.js";

export function registerDenyAccessRequest(server: McpServer, { backend, actor }: ToolDeps): void {
  addRequestTool(server, accessRequests, {
    name: "deny_access_request",
    title: "Deny an access request",
    description:
      "Deny a pending access request, optionally saying why in reviewer_comment; the requester gets no " +
      "role. Only a reviewer of the instance may deny, never the requester; a request is decided once, so " +
      "denying one that was already decided fails with a conflict.",
    inputSchema: { access_request_id: fields.accessRequestId, reviewer_comment: fields.reviewerComment },
    annotations: changesState,
    act: (args) => backend.denyAccessRequest(actor, args.access_request_id, args.reviewer_comment),
    say: (request) => `Denied: ${describeAccessRequest(request)}.`,
  });
}
