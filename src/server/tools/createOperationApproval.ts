import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describeOperationApproval, operationApprovals } from "./requestViews.js";
import { addRequestTool, changesState, fields, type ToolDeps } from "./toolKit.js";

const operation = fields
  .text("operation", 200)
  .describe(
    'What you want to do, as "<tool>:<detail>", e.g. "order_dish:Truffle Pizza". A refusal that asks for ' +
      "an approval names the exact operation to use.",
  );

export function registerCreateOperationApproval(server: McpServer, { backend, actor }: ToolDeps): void {
  addRequestTool(server, operationApprovals, {
    name: "create_operation_approval",
    title: "Ask for approval of one operation",
    description:
      `Ask a reviewer to approve one operation you want to run once on one of the ${backend.resourceType}, ` +
      "with a reason. Creates a pending operation approval and returns its id. Once a reviewer approves it, " +
      "the operation may run exactly once; ask again for another time. Operations match ignoring case " +
      "and spacing.",
    inputSchema: { resource_instance: fields.resourceInstance, operation, reason: fields.reason },
    annotations: changesState,
    act: (args) =>
      backend.createOperationApproval(actor, {
        resourceInstance: args.resource_instance,
        operation: args.operation,
        reason: args.reason,
      }),
    say: (approval) =>
      `Created operation approval ${describeOperationApproval(approval)}. A reviewer of ${approval.resourceInstance} must approve it before the operation can run.`,
  });
}
