import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import {
  addTool,
  displayName,
  pageFields,
  pageOutput,
  pageRequest,
  pageSummary,
  readsOnly,
  toolResult,
  type ToolDeps,
} from "./toolKit.js";

const outputSchema = {
  resourceType: z.string(),
  items: z.array(
    z.object({ key: z.string(), name: z.string(), attributes: z.record(z.string(), z.unknown()) }),
  ),
  ...pageOutput,
};

export function registerListResourceInstances(server: McpServer, { backend, actor }: ToolDeps): void {
  const spec = {
    name: "list_resource_instances",
    title: "List resource instances",
    description:
      `List the ${backend.resourceType} this server knows (key and name), a page at a time. ` +
      "Use a key from here as `resource_instance` in every other tool. Anyone may call it; it does not " +
      "say what you may do there (use check_permission for that).",
    inputSchema: pageFields,
    outputSchema,
    annotations: readsOnly,
  };
  addTool(server, spec, async (args) => {
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
  });
}
