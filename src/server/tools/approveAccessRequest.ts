import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequestShape, describeAccessRequest } from "./requestViews.js";
import { fields, runTool, toolResult, type ToolDeps } from "./toolKit.js";

const inputSchema = { access_request_id: fields.accessRequestId, reviewer_comment: fields.reviewerComment };

export function registerApproveAccessRequest(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "approve_access_request",
    {
      title: "Approve an access request",
      description:
        "Approve a pending access request: the requester gets the role on that instance at once. Only a " +
        "reviewer of the instance may approve, never the requester; a request is decided once, so approving " +
        "one that was already decided fails with a conflict that says who decided it. Find ids with " +
        "list_access_requests (status pending).",
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
        const request = await backend.approveAccessRequest(
          actor,
          args.access_request_id,
          args.reviewer_comment,
        );
        const text = `Approved: ${describeAccessRequest(request)}. ${request.requester} now holds ${request.role} on ${request.resourceInstance}.`;
        return toolResult(text, { ...request });
      }),
  );
}
