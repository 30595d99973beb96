import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { accessRequestShape, describeAccessRequest } from "./requestViews.js";
import { fields, runTool, toolResult, type ToolDeps } from "./toolKit.js";

const inputSchema = { access_request_id: fields.accessRequestId };

export function registerCancelAccessRequest(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "cancel_access_request",
    {
      title: "Cancel an access request",
      description:
        "Withdraw one of your own access requests while it is still pending. Only the requester may cancel; " +
        "a request that was already decided cannot be canceled.",
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
        const request = await backend.cancelAccessRequest(actor, args.access_request_id);
        return toolResult(`Canceled: ${describeAccessRequest(request)}.`, { ...request });
      }),
  );
}
