import { z } from "zod";
import type { Env } from "../../../config/load.js";
import { AskfirstError, UsageError } from "../../../errors.js";
import type { Backend } from "../types.js";
import { loadPermitConfig, type PermitConfig } from "./config.js";
import { PermitCallError, Redactor, isStatus } from "./failure.js";
import { PermitHttp } from "./http.js";
import { PermitBackend } from "./permitBackend.js";
import { defaultRetryPolicy, type RetryPolicy } from "./retry.js";
import { PermitSdk, type KeyScope } from "./sdk.js";

export { loadPermitConfig, type PermitConfig } from "./config.js";
export { PermitBackend } from "./permitBackend.js";

/** What a test (or a caller with other needs) may change; production uses the defaults. */
export interface PermitBackendOptions {
  /** Per attempt, for every call to Permit and to the PDP. Default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  now?: () => Date;
}

const scopeSchema = z.object({
  organization_id: z.string().min(1),
  project_id: z.string().nullish(),
  environment_id: z.string().nullish(),
});

/**
 * Opens the Permit.io backend configured by the environment (see .env.example). A missing or bad variable
 * is a UsageError naming each one; the API key is then checked against Permit once, so a wrong key or an
 * unreachable API fails at start with a clear message. The key's value never appears in any message.
 */
export async function openPermitBackend(env: Env, options: PermitBackendOptions = {}): Promise<Backend> {
  const config = loadPermitConfig(env);
  const redactor = new Redactor();
  redactor.add(config.apiKey);
  const retry = { ...defaultRetryPolicy, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const http = new PermitHttp({ apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs, retry, redactor });
  const scope = await readKeyScope(http, config);
  const sdk = new PermitSdk({ config, scope, timeoutMs, retry, redactor });
  return new PermitBackend({ config, sdk, http, reviewerRoles: config.reviewerRoles, now: options.now });
}

async function readKeyScope(http: PermitHttp, config: PermitConfig): Promise<KeyScope> {
  let answer: unknown;
  try {
    answer = await http.call({
      operation: "read the API key's scope",
      method: "GET",
      path: ["v2", "api-key", "scope"],
    });
  } catch (error) {
    if (isStatus(error, 401, 403))
      throw new UsageError(
        `PERMIT_API_KEY was refused by Permit at ${config.apiUrl}: ${(error as Error).message}`,
        "invalid_config",
        error,
      );
    const message = error instanceof PermitCallError ? error.message : String(error);
    throw new AskfirstError(`cannot start the Permit backend: ${message}`, {
      code: "permit_unavailable",
      cause: error,
    });
  }
  const parsed = scopeSchema.safeParse(answer);
  if (!parsed.success)
    throw new AskfirstError(
      "cannot start the Permit backend: Permit's API key scope answer is not the documented shape",
      {
        code: "permit_unavailable",
      },
    );
  const { organization_id, project_id, environment_id } = parsed.data;
  if (!project_id || !environment_id)
    throw new UsageError(
      `PERMIT_API_KEY is ${project_id ? "a project" : "an organization"}-level key; use an environment-level API key of ${config.projectId}/${config.envId}`,
      "invalid_config",
    );
  return { organizationId: organization_id, projectId: project_id, environmentId: environment_id };
}
