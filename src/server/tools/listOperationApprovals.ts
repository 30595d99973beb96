import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { describeOperationApproval, operationApprovalShape } from "./requestViews.js";
import {
  fields,
  pageOutput,
  pageRequest,
  pageSummary,
  runTool,
  toolResult,
  type ToolDeps,
} from "./toolKit.js";

const inputSchema = {
  status: fields.status,
  resource_instance: fields.resourceInstance.optional().describe("Only approvals about this instance."),
  page: fields.page,
  per_page: fields.perPage,
};

const outputSchema = { items: z.array(operationApprovalShape), ...pageOutput };

export function registerListOperationApprovals(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "list_operation_approvals",
    {
      title: "List operation approvals",
      description:
        "List operation approvals, newest first, optionally filtered by status (pending, approved, denied, " +
        "canceled) and resource_instance. Reviewers see the approvals about the instances they review; " +
        "everyone else sees only their own. An approved one says whether it was already used.",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const page = await backend.listOperationApprovals(actor, {
          ...pageRequest(args),
          status: args.status,
          resourceInstance: args.resource_instance,
        });
        const lines = page.items.map((approval) => `- ${describeOperationApproval(approval)}`);
        return toolResult([pageSummary(page, "operation approval"), ...lines].join("\n"), { ...page });
      }),
  );
}
