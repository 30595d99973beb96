import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describeOperationApproval, operationApprovalShape } from "./requestViews.js";
import { fields, runTool, toolResult, type ToolDeps } from "./toolKit.js";

const inputSchema = {
  operation_approval_id: fields.operationApprovalId,
  reviewer_comment: fields.reviewerComment,
};

export function registerApproveOperationApproval(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "approve_operation_approval",
    {
      title: "Approve an operation",
      description:
        "Approve a pending operation approval: the requester may then run that operation once. Only a " +
        "reviewer of the instance may approve, never the requester; it is decided once, so approving one " +
        "that was already decided fails with a conflict. Find ids with list_operation_approvals (status pending).",
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
        const approval = await backend.approveOperationApproval(
          actor,
          args.operation_approval_id,
          args.reviewer_comment,
        );
        const text = `Approved: ${describeOperationApproval(approval)}. ${approval.requester} may run it once.`;
        return toolResult(text, { ...approval });
      }),
  );
}
