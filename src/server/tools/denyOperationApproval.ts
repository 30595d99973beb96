import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describeOperationApproval, operationApprovals } from "./requestViews.js";
import { addRequestTool, changesState, fields, type ToolDeps } from "./toolKit.js";

export function registerDenyOperationApproval(server: McpServer, { backend, actor }: ToolDeps): void {
  addRequestTool(server, operationApprovals, {
    name: "deny_operation_approval",
    title: "Deny an operation",
    description:
      "Deny a pending operation approval, optionally saying why in reviewer_comment. Only a reviewer of " +
      "the instance may deny, never the requester; it is decided once, so denying one that was already " +
      "decided fails with a conflict.",
    inputSchema: {
      operation_approval_id: fields.operationApprovalId,
      reviewer_comment: fields.reviewerComment,
    },
    annotations: changesState,
    act: (args) => backend.denyOperationApproval(actor, args.operation_approval_id, args.reviewer_comment),
    say: (approval) => `Denied: ${describeOperationApproval(approval)}.`,
  });
}
