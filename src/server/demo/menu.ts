import { z } from "zod";
import type { Backend, ResourceInstance } from "../backends/types.js";
import { BackendError } from "../backends/types.js";

/** Settings of the family food demo, from the seed's `demo` section. */
export interface DemoConfig {
  /** Dishes above this price need `operate` on the restaurant or an approved operation approval. */
  priceLimit: number;
  /** The role a user without `read` is told to ask for. */
  orderRole?: string;
}

export const dishShape = z.object({ name: z.string(), price: z.number() });
export type Dish = z.infer<typeof dishShape>;

const menuShape = z.array(dishShape);

export function readMenu(instance: ResourceInstance): Dish[] {
  const parsed = menuShape.safeParse(instance.attributes.menu);
  return parsed.success ? parsed.data : [];
}

export function formatPrice(price: number): string {
  return price.toFixed(2);
}

/** Throws "forbidden" with a hint naming the role to ask for, unless `actor` may read the restaurant. */
export async function assertCanRead(
  backend: Backend,
  actor: string,
  resourceInstance: string,
  config: DemoConfig,
): Promise<ResourceInstance> {
  const instance = await backend.getResourceInstance(actor, resourceInstance);
  if (await backend.check(actor, "read", resourceInstance)) return instance;
  const role = config.orderRole ? `role "${config.orderRole}"` : "a role that grants read";
  throw new BackendError(
    "forbidden",
    `${actor} may not read ${resourceInstance}; ask for access with create_access_request (resource_instance "${resourceInstance}", ${role}, and a reason)`,
  );
}
