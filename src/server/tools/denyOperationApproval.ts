import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describeOperationApproval, operationApprovalShape } from "./requestViews.js";
import { fields, runTool, toolResult, type ToolDeps } from "./toolKit.js";

const inputSchema = {
  operation_approval_id: fields.operationApprovalId,
  reviewer_comment: fields.reviewerComment,
};

export function registerDenyOperationApproval(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "deny_operation_approval",
    {
      title: "Deny an operation",
      description:
        "Deny a pending operation approval, optionally saying why in reviewer_comment. Only a reviewer of " +
        "the instance may deny, never the requester; it is decided once, so denying one that was already " +
        "decided fails with a conflict.",
      inputSchema,
      outputSchema: operationApprovalShape.shape,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    (args) =>
      runTool(async () => {
        const approval = await backend.denyOperationApproval(
          actor,
          args.operation_approval_id,
          args.reviewer_comment,
        );
        return toolResult(`Denied: ${describeOperationApproval(approval)}.`, { ...approval });
      }),
  );
}
