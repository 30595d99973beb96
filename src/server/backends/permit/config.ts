import { z } from "zod";
import { readEnv, type Env } from "../../../config/load.js";
import { UsageError } from "../../../errors.js";

/** The Permit backend's settings, named as in Permit's own Access Request MCP. */
export interface PermitConfig {
  apiKey: string;
  pdpUrl: string;
  apiUrl: string;
  projectId: string;
  envId: string;
  tenant: string;
  resourceKey: string;
  accessElementsConfigId: string;
  operationElementsConfigId: string;
  /** Users holding one of these roles on an instance review requests about it. */
  reviewerRoles: string[];
  /** The roles an access request may ask for; unset, every role but the reviewer roles and Permit's own. */
  requestableRoles?: string[];
}

/** Variable name → what it holds, used in messages so a person knows what to put there. */
const variables = {
  PERMIT_API_KEY: "an environment-level API key from the Permit dashboard",
  PERMIT_PDP_URL: "the PDP's address, e.g. http://localhost:7766 or https://cloudpdp.api.permit.io",
  PERMIT_API_URL: "Permit's API address (default https://api.permit.io)",
  PROJECT_ID: "the Permit project's key or id",
  ENV_ID: "the Permit environment's key or id",
  TENANT: "the tenant key (default `default`)",
  RESOURCE_KEY: "the resource type's key, e.g. restaurants",
  ACCESS_ELEMENTS_CONFIG_ID: "the User Management element's config id",
  OPERATION_ELEMENTS_CONFIG_ID: "the Approval Management element's config id",
  REVIEWER_ROLES:
    "comma-separated role keys whose holders review an instance's requests (default _Reviewer_)",
  REQUESTABLE_ROLES:
    "comma-separated role keys an access request may ask for: the User Management element's assignable roles",
} as const;
type VariableName = keyof typeof variables;

function required(name: VariableName) {
  return z.string({ error: `missing: set it to ${variables[name]}` });
}

// Keys and ids go into URL paths, so anything but a plain token is refused rather than encoded into a
// surprising path.
function pathSegment(name: VariableName) {
  return required(name).regex(/^[A-Za-z0-9_.:-]+$/, {
    error: `must be ${variables[name]} (letters, digits, - _ . : only)`,
  });
}

function httpUrl(name: VariableName) {
  return required(name)
    .regex(/^https?:\/\/[^\s]+$/, { error: `must be an http(s) URL: ${variables[name]}` })
    .transform((value) => value.replace(/\/+$/, ""));
}

function roleList(name: VariableName) {
  return required(name)
    .regex(/^\s*[A-Za-z0-9_.:-]+(\s*,\s*[A-Za-z0-9_.:-]+)*\s*$/, {
      error: `must be ${variables[name]}`,
    })
    .transform((value) => value.split(",").map((role) => role.trim()));
}

const schema = z
  .object({
    // The key's own value never appears in a message: only "missing" or a shape problem.
    PERMIT_API_KEY: required("PERMIT_API_KEY").regex(/^\S+$/, {
      error: "must be a single token without spaces (check for a pasted quote or newline)",
    }),
    PERMIT_PDP_URL: httpUrl("PERMIT_PDP_URL"),
    PERMIT_API_URL: httpUrl("PERMIT_API_URL").default("https://api.permit.io"),
    PROJECT_ID: pathSegment("PROJECT_ID"),
    ENV_ID: pathSegment("ENV_ID"),
    TENANT: pathSegment("TENANT").default("default"),
    RESOURCE_KEY: pathSegment("RESOURCE_KEY"),
    ACCESS_ELEMENTS_CONFIG_ID: pathSegment("ACCESS_ELEMENTS_CONFIG_ID"),
    OPERATION_ELEMENTS_CONFIG_ID: pathSegment("OPERATION_ELEMENTS_CONFIG_ID"),
    // Permit's Operation Approval element gives reviewers the `_Reviewer_` role on an instance.
    REVIEWER_ROLES: roleList("REVIEWER_ROLES").default(["_Reviewer_"]),
    REQUESTABLE_ROLES: roleList("REQUESTABLE_ROLES").optional(),
  })
  .superRefine((value, ctx) => {
    const both = (value.REQUESTABLE_ROLES ?? []).filter((role) => value.REVIEWER_ROLES.includes(role));
    if (both.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["REQUESTABLE_ROLES"],
        message: `names reviewer roles (${both.join(", ")}): no one may ask to review`,
      });
  });

/**
 * Reads and validates every Permit variable at once, so one start names all that is missing or bad.
 * Throws a UsageError (exit 2) listing each problem as `NAME: what is wrong`.
 */
export function loadPermitConfig(env: Env): PermitConfig {
  const raw = Object.fromEntries(
    (Object.keys(variables) as VariableName[]).map((name) => [name, readEnv(env, name)]),
  );
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new UsageError(`the Permit backend is not configured: ${problems.join("; ")}`, "invalid_config");
  }
  const value = result.data;
  return {
    apiKey: value.PERMIT_API_KEY,
    pdpUrl: value.PERMIT_PDP_URL,
    apiUrl: value.PERMIT_API_URL,
    projectId: value.PROJECT_ID,
    envId: value.ENV_ID,
    tenant: value.TENANT,
    resourceKey: value.RESOURCE_KEY,
    accessElementsConfigId: value.ACCESS_ELEMENTS_CONFIG_ID,
    operationElementsConfigId: value.OPERATION_ELEMENTS_CONFIG_ID,
    reviewerRoles: value.REVIEWER_ROLES,
    ...(value.REQUESTABLE_ROLES ? { requestableRoles: value.REQUESTABLE_ROLES } : {}),
  };
}
