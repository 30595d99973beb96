import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequestShape, describeAccessRequest } from "./requestViews.js";
import { fields, runTool, toolResult, type ToolDeps } from "./toolKit.js";

const inputSchema = { access_request_id: fields.accessRequestId, reviewer_comment: fields.reviewerComment };

export function registerDenyAccessRequest(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "deny_access_request",
    {
      title: "Deny an access request",
      description:
        "Deny a pending access request, optionally saying why in reviewer_comment; the requester gets no " +
        "role. Only a reviewer of the instance may deny, never the requester; a request is decided once, so " +
        "denying one that was already decided fails with a conflict.",
      inputSchema,
      outputSchema: accessRequestShape.shape,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    (args) =>
      runTool(async () => {
        const request = await backend.denyAccessRequest(actor, args.access_request_id, args.reviewer_comment);
        return toolResult(`Denied: ${describeAccessRequest(request)}.`, { ...request });
      }),
  );
}
