import { randomBytes } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Backend, OperationApproval } from "../backends/types.js";
import { BackendError } from "../backends/types.js";
import { addTool, changesState, fields, toolResult, type ToolDeps } from "../tools/toolKit.js";
import { assertCanRead, type DemoConfig, type Dish, formatPrice, readMenu } from "./menu.js";

const inputSchema = {
  resource_instance: fields.resourceInstance,
  dish_name: fields
    .text("dish_name", 200)
    .describe("The dish's name as list_dishes shows it (case does not matter)."),
};

const outputSchema = {
  orderId: z.string(),
  resourceInstance: z.string(),
  dish: z.string(),
  price: z.number(),
  approvalId: z.string().nullable(),
};

/** The operation text an approval for this dish is matched on. */
export function orderOperation(dish: string): string {
  return `order_dish:${dish}`;
}

function findDish(menu: Dish[], name: string, resourceInstance: string): Dish {
  const wanted = name.trim().toLowerCase();
  const dish = menu.find((candidate) => candidate.name.toLowerCase() === wanted);
  if (dish) return dish;
  const names = menu.map((candidate) => candidate.name).join(", ");
  throw new BackendError(
    "not_found",
    `${resourceInstance} has no dish "${name}"; its dishes: ${names || "none"}`,
  );
}

/**
 * An approval for this very dish first, then one made for `order_dish` on the restaurant without naming a
 * dish: a parent who approved "order_dish" for a restaurant expects any one order there to go through.
 */
async function useApproval(
  backend: Backend,
  actor: string,
  instance: string,
  dish: Dish,
): Promise<OperationApproval | null> {
  return (
    (await backend.consumeOperationApproval(actor, instance, orderOperation(dish.name))) ??
    (await backend.consumeOperationApproval(actor, instance, "order_dish"))
  );
}

function needsApprovalError(actor: string, instance: string, dish: Dish, limit: number): BackendError {
  return new BackendError(
    "forbidden",
    `${dish.name} costs ${formatPrice(dish.price)}, above the limit of ${formatPrice(limit)}, and ${actor} has no unused approval for it; ` +
      `call create_operation_approval with resource_instance "${instance}", operation "${orderOperation(dish.name)}" and a reason, then wait for a reviewer to approve it`,
  );
}

export function registerOrderDish(server: McpServer, { backend, actor }: ToolDeps, config: DemoConfig): void {
  const spec = {
    name: "order_dish",
    title: "Order a dish",
    description:
      "Order one dish from a restaurant. Needs read access to the restaurant. A dish priced above " +
      `${formatPrice(config.priceLimit)} also needs the operate permission or an approved operation approval: ` +
      'one for operation "order_dish:<dish name>", or one for "order_dish" alone, which covers any one dish ' +
      "there. Each approval pays for a single order and is used up by it. When refused, the error says " +
      "which approval to ask for with create_operation_approval.",
    inputSchema,
    outputSchema,
    annotations: changesState,
  };
  addTool(server, spec, async (args) => {
    const instance = await assertCanRead(backend, actor, args.resource_instance, config);
    const dish = findDish(readMenu(instance), args.dish_name, instance.key);
    let approval: OperationApproval | null = null;
    if (dish.price > config.priceLimit && !(await backend.check(actor, "operate", instance.key))) {
      approval = await useApproval(backend, actor, instance.key, dish);
      if (!approval) throw needsApprovalError(actor, instance.key, dish, config.priceLimit);
    }
    const orderId = `order_${randomBytes(4).toString("hex")}`;
    const paidBy = approval ? ` using approval ${approval.id}, which is now used up` : "";
    const text = `Ordered ${dish.name} (${formatPrice(dish.price)}) from ${instance.key} for ${actor}${paidBy}. Order id ${orderId}.`;
    return toolResult(text, {
      orderId,
      resourceInstance: instance.key,
      dish: dish.name,
      price: dish.price,
      approvalId: approval?.id ?? null,
    });
  });
}
