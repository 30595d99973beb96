import type { Env } from "../../../config/load.js";
import { AskfirstError } from "../../../errors.js";
import type { Backend } from "../types.js";
import { loadPermitConfig } from "./config.js";

export { loadPermitConfig, type PermitConfig } from "./config.js";

/**
 * Opens the Permit.io backend configured by the environment (see .env.example). A missing or bad variable
 * is a UsageError naming each one; the API key's value never appears in any message.
 */
export function openPermitBackend(env: Env): Promise<Backend> {
  loadPermitConfig(env);
  // The client behind this validation is being built (issue 5); until then say so plainly.
  return Promise.reject(
    new AskfirstError("the Permit backend is not available yet in this build", {
      code: "permit_unavailable",
    }),
  );
}
