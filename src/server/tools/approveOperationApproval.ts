import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describeOperationApproval, operationApprovals } from "./requestViews.js";
import { addRequestTool, changesState, fields, type ToolDeps } from "./toolKit.js";

export function registerApproveOperationApproval(server: McpServer, { backend, actor }: ToolDeps): void {
  addRequestTool(server, operationApprovals, {
    name: "approve_operation_approval",
    title: "Approve an operation",
    description:
      "Approve a pending operation approval: the requester may then run that operation once. Only a " +
      "reviewer of the instance may approve, never the requester; it is decided once, so approving one " +
      "that was already decided fails with a conflict. Find ids with list_operation_approvals (status pending).",
    inputSchema: {
      operation_approval_id: fields.operationApprovalId,
      reviewer_comment: fields.reviewerComment,
    },
    annotations: changesState,
    act: (args) => backend.approveOperationApproval(actor, args.operation_approval_id, args.reviewer_comment),
    say: (approval) =>
      `Approved: ${describeOperationApproval(approval)}. ${approval.requester} may run it once.`,
  });
}
