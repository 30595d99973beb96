import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describeOperationApproval, operationApprovalShape } from "./requestViews.js";
import { fields, runTool, toolResult, type ToolDeps } from "./toolKit.js";

const inputSchema = { operation_approval_id: fields.operationApprovalId };

export function registerCancelOperationApproval(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "cancel_operation_approval",
    {
      title: "Cancel an operation approval",
      description:
        "Withdraw one of your own operation approvals while it is still pending. Only the requester may " +
        "cancel; one that was already decided cannot be canceled.",
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
        const approval = await backend.cancelOperationApproval(actor, args.operation_approval_id);
        return toolResult(`Canceled: ${describeOperationApproval(approval)}.`, { ...approval });
      }),
  );
}
