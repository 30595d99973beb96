import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequests, describeAccessRequest } from "./requestViews.js";
import { addRequestTool, changesState, fields, type ToolDeps } from "./toolKit.js";

export function registerCancelAccessRequest(server: McpServer, { backend, actor }: ToolDeps): void {
  addRequestTool(server, accessRequests, {
    name: "cancel_access_request",
    title: "Cancel an access request",
    description:
      "Withdraw one of your own access requests while it is still pending. Only the requester may cancel; " +
      "a request that was already decided cannot be canceled.",
    inputSchema: { access_request_id: fields.accessRequestId },
    annotations: changesState,
    act: (args) => backend.cancelAccessRequest(actor, args.access_request_id),
    say: (request) => `Canceled: ${describeAccessRequest(request)}.`,
  });
}
