import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { addTool, displayName, fields, readsOnly, toolResult, type ToolDeps } from "../tools/toolKit.js";
import { assertCanRead, dishShape, type DemoConfig, formatPrice, readMenu } from "./menu.js";

const inputSchema = { resource_instance: fields.resourceInstance };

const outputSchema = {
  resourceInstance: z.string(),
  name: z.string(),
  dishes: z.array(dishShape.extend({ needsApproval: z.boolean() })),
  priceLimit: z.number(),
};

export function registerListDishes(
  server: McpServer,
  { backend, actor }: ToolDeps,
  config: DemoConfig,
): void {
  const spec = {
    name: "list_dishes",
    title: "List a restaurant's dishes",
    description:
      "List the dishes and prices of one restaurant. Needs read access to it (ask with " +
      `create_access_request if you lack it). Dishes priced above ${formatPrice(config.priceLimit)} are ` +
      "marked: ordering one without the operate permission needs an approved operation approval.",
    inputSchema,
    outputSchema,
    annotations: readsOnly,
  };
  addTool(server, spec, async (args) => {
    const instance = await assertCanRead(backend, actor, args.resource_instance, config);
    const dishes = readMenu(instance).map((dish) => ({
      ...dish,
      needsApproval: dish.price > config.priceLimit,
    }));
    const name = displayName(instance);
    const lines = dishes.map(
      (dish) => `- ${dish.name}: ${formatPrice(dish.price)}${dish.needsApproval ? " (above the limit)" : ""}`,
    );
    const heading = `${name} (${instance.key}) has ${dishes.length} dishes; the price limit without approval is ${formatPrice(config.priceLimit)}.`;
    return toolResult([heading, ...lines].join("\n"), {
      resourceInstance: instance.key,
      name,
      dishes,
      priceLimit: config.priceLimit,
    });
  });
}
