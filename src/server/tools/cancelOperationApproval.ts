import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describeOperationApproval, operationApprovals } from "./requestViews.js";
import { addRequestTool, changesState, fields, type ToolDeps } from "./toolKit.js";

export function registerCancelOperationApproval(server: McpServer, { backend, actor }: ToolDeps): void {
  addRequestTool(server, operationApprovals, {
    name: "cancel_operation_approval",
    title: "Cancel an operation approval",
    description:
      "Withdraw one of your own operation approvals while it is still pending. Only the requester may " +
      "cancel; one that was already decided cannot be canceled.",
    inputSchema: { operation_approval_id: fields.operationApprovalId },
    annotations: changesState,
    act: (args) => backend.cancelOperationApproval(actor, args.operation_approval_id),
    say: (approval) => `Canceled: ${describeOperationApproval(approval)}.`,
  });
}
