import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ResourceInstance } from "../backends/types.js";
import {
  fields,
  pageOutput,
  pageRequest,
  pageSummary,
  runTool,
  toolResult,
  type ToolDeps,
} from "./toolKit.js";

const inputSchema = { page: fields.page, per_page: fields.perPage };

const outputSchema = {
  resourceType: z.string(),
  items: z.array(
    z.object({ key: z.string(), name: z.string(), attributes: z.record(z.string(), z.unknown()) }),
  ),
  ...pageOutput,
};

function displayName(instance: ResourceInstance): string {
  const name = instance.attributes.name;
  return typeof name === "string" ? name : instance.key;
}

export function registerListResourceInstances(server: McpServer, deps: ToolDeps): void {
  const { backend, actor } = deps;
  server.registerTool(
    "list_resource_instances",
    {
      title: "List resource instances",
      description:
        `List the ${backend.resourceType} this server knows (key and name), a page at a time. ` +
        "Use a key from here as `resource_instance` in every other tool. Anyone may call it; it does not " +
        "say what you may do there (use check_permission for that).",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const page = await backend.listResourceInstances(actor, pageRequest(args));
        const items = page.items.map((instance) => ({ ...instance, name: displayName(instance) }));
        const lines = items.map((item) => `- ${item.key} (${item.name})`);
        const text = [pageSummary(page, backend.resourceType.replace(/s$/, "")), ...lines].join("\n");
        return toolResult(text, {
          resourceType: backend.resourceType,
          items: items.map(({ key, name, attributes }) => ({ key, name, attributes })),
          page: page.page,
          perPage: page.perPage,
          total: page.total,
        });
      }),
  );
}
