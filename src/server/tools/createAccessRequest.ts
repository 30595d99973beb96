import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequestShape, describeAccessRequest } from "./requestViews.js";
import { fields, runTool, toolResult, type ToolDeps } from "./toolKit.js";

const inputSchema = { resource_instance: fields.resourceInstance, role: fields.role, reason: fields.reason };

export function registerCreateAccessRequest(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "create_access_request",
    {
      title: "Ask for access",
      description:
        `Ask for a role on one of the ${backend.resourceType}, for yourself (the user this session acts for), ` +
        "with a reason a reviewer can judge. Creates a pending access request and returns its id; a reviewer " +
        "of that instance approves or denies it later (see list_access_requests). Fails if you already hold " +
        "the role or already have a pending request for it.",
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
        const request = await backend.createAccessRequest(actor, {
          resourceInstance: args.resource_instance,
          role: args.role,
          reason: args.reason,
        });
        const text = `Created access request ${describeAccessRequest(request)}. A reviewer of ${request.resourceInstance} must approve it.`;
        return toolResult(text, { ...request });
      }),
  );
}
