import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { accessRequestShape, describeAccessRequest } from "./requestViews.js";
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
  role: fields.role.optional().describe("Only requests for this role."),
  resource_instance: fields.resourceInstance.optional().describe("Only requests about this instance."),
  page: fields.page,
  per_page: fields.perPage,
};

const outputSchema = { items: z.array(accessRequestShape), ...pageOutput };

export function registerListAccessRequests(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "list_access_requests",
    {
      title: "List access requests",
      description:
        "List access requests, newest first, optionally filtered by status (pending, approved, denied, " +
        "canceled), role and resource_instance. Reviewers see the requests about the instances they review; " +
        "everyone else sees only their own. Use it to find a request's id or to see whether it was decided.",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const page = await backend.listAccessRequests(actor, {
          ...pageRequest(args),
          status: args.status,
          role: args.role,
          resourceInstance: args.resource_instance,
        });
        const text = [
          pageSummary(page, "access request"),
          ...page.items.map((r) => `- ${describeAccessRequest(r)}`),
        ];
        return toolResult(text.join("\n"), { ...page });
      }),
  );
}
