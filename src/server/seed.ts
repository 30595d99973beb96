import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { parseOrThrow } from "../config/load.js";
import { UsageError } from "../errors.js";
import { packageRoot } from "../packageRoot.js";

/** The form of every key in a seed; the users of tokens and ASKFIRST_USER must have it too. */
export const keyPattern = /^[a-z0-9][a-z0-9_.@-]{0,99}$/i;

/** What `keyPattern` allows, in words, for every message that refuses a key. */
export const keyHelp = "a letter or digit, then letters, digits, . _ @ -";

/**
 * `user` when it is a user key; otherwise a usage error (exit 2) naming where it came from (`-u`,
 * ASKFIRST_USER, ...) and at most 40 characters of it.
 */
export function checkUserKey(user: string, from: string, hint = ""): string {
  if (keyPattern.test(user)) return user;
  throw new UsageError(
    `${from} "${user.slice(0, 40)}" is not a user key: expected ${keyHelp}${hint}`,
    "bad_user",
  );
}

const key = z.string().regex(keyPattern, `expected a key: ${keyHelp}`);

/**
 * What a data folder starts with: one resource type (its actions and resource roles), its instances, the
 * users and their role assignments. Both backends read this shape; `demo` holds settings of the demo tools.
 */
export const seedSchema = z
  .object({
    resource: z.object({
      key,
      name: z.string().min(1).optional(),
      actions: z.array(key).min(1),
      roles: z.record(key, z.array(key)),
      /** Users holding one of these roles on an instance review requests about it. */
      reviewerRoles: z.array(key).min(1),
      /**
       * Roles an access request may ask for (Permit: the User Management element's assignable roles);
       * default every role but the reviewer roles, which are never requestable.
       */
      requestableRoles: z.array(key).optional(),
    }),
    instances: z.array(z.object({ key, attributes: z.record(z.string(), z.unknown()).default({}) })),
    users: z.array(z.object({ key, attributes: z.record(z.string(), z.unknown()).default({}) })),
    roleAssignments: z.array(z.object({ user: key, role: key, instance: key })),
    demo: z
      .object({
        /** Dishes above this price need `operate` or an approved operation approval. */
        priceLimit: z.number().nonnegative().default(10),
        /** The role a user without `read` is told to ask for. */
        orderRole: key.optional(),
      })
      .optional(),
  })
  .superRefine((seed, ctx) => {
    for (const problem of findSeedProblems(seed)) ctx.addIssue({ code: "custom", message: problem });
  });

export type Seed = z.infer<typeof seedSchema>;

function findSeedProblems(seed: Omit<Seed, "demo">): string[] {
  const { actions, roles, reviewerRoles, requestableRoles = [] } = seed.resource;
  const problems: string[] = [];
  for (const [role, granted] of Object.entries(roles))
    for (const action of granted)
      if (!actions.includes(action)) problems.push(`role ${role} grants unknown action ${action}`);
  for (const role of reviewerRoles) if (!(role in roles)) problems.push(`unknown reviewer role ${role}`);
  for (const role of requestableRoles)
    if (!(role in roles)) problems.push(`unknown requestable role ${role}`);
    else if (reviewerRoles.includes(role))
      problems.push(`requestable role ${role} is a reviewer role: no one may ask to review`);
  const users = new Set(seed.users.map((user) => user.key));
  const instances = new Set(seed.instances.map((instance) => instance.key));
  for (const { user, role, instance } of seed.roleAssignments) {
    if (!users.has(user)) problems.push(`role assignment names unknown user ${user}`);
    if (!(role in roles)) problems.push(`role assignment names unknown role ${role}`);
    if (!instances.has(instance)) problems.push(`role assignment names unknown instance ${instance}`);
  }
  return problems;
}

/** The demos shipped in examples/, by name. */
export const demoNames = ["family-food"] as const;
export type DemoName = (typeof demoNames)[number];

export function demoSeedPath(demo: DemoName): string {
  return resolve(packageRoot(), "examples", demo, "seed.json");
}

export function parseDemoName(value: string): DemoName {
  const found = demoNames.find((name) => name === value);
  if (!found)
    throw new UsageError(`unknown demo "${value}"; available: ${demoNames.join(", ")}`, "unknown_demo");
  return found;
}

/** Reads and validates a seed file; a bad one is a UsageError naming the file and its problems. */
export function readSeedFile(path: string): Seed {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read seed file ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      "seed",
      error,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`seed file ${path} is not valid JSON`, "seed", error);
  }
  return parseOrThrow(seedSchema, json, `seed file ${path}`);
}
