import { Permit, PermitApiError, PermitConnectionError, PermitError } from "permitio";
import type { RoleAssignmentRead, UserRead } from "permitio";
import type { PermitConfig } from "./config.js";
import { PermitCallError, permitMessage, type CallFailure, type Redactor } from "./failure.js";
import { withRetries, type RetryPolicy } from "./retry.js";

export type ResourceInstanceRead = Awaited<ReturnType<Permit["api"]["resourceInstances"]["get"]>>;

/** The API key's own scope, as `GET /v2/api-key/scope` answers it. */
export interface KeyScope {
  organizationId: string;
  projectId: string;
  environmentId: string;
}

export interface SdkOptions {
  config: PermitConfig;
  scope: KeyScope;
  timeoutMs: number;
  retry: RetryPolicy;
  redactor: Redactor;
}

// Permit answers at most 100 items a page; more than this many pages is refused rather than truncated.
const perPage = 100;
const maxPages = 20;

/**
 * The calls made through the `permitio` SDK: decisions against the PDP, and users, role assignments,
 * resource instances and the Elements login through its REST client. Each runs with the same timeout,
 * retries and error reporting as the backend's own calls; the SDK's logger is silenced, since it writes
 * to stdout (the MCP protocol stream in `serve`) and logs its whole config, API key included, at debug.
 */
export class PermitSdk {
  private readonly permit: Permit;

  constructor(private readonly options: SdkOptions) {
    const { config, scope, timeoutMs } = options;
    this.permit = new Permit({
      token: config.apiKey,
      pdp: config.pdpUrl,
      apiUrl: config.apiUrl,
      log: { level: "silent", label: "permit", json: false },
      timeout: timeoutMs,
      throwOnError: true,
      multiTenancy: { defaultTenant: config.tenant, useDefaultTenantIfEmpty: true },
    });
    // The REST client has no timeout setting of its own; its axios instance is shared by every API class.
    this.permit.config.axiosInstance.defaults.timeout = timeoutMs;
    // The backend already read the key's scope; handing it over spares the SDK a second, opaque lookup.
    const context = this.permit.config.apiContext;
    context._saveApiKeyAccessibleScope(scope.organizationId, scope.projectId, scope.environmentId);
    context.setEnvironmentLevelContext(scope.organizationId, scope.projectId, scope.environmentId);
  }

  check(user: string, action: string, instance: string): Promise<boolean> {
    const { resourceKey, tenant } = this.options.config;
    return this.run("check permission", () =>
      this.permit.check(user, action, { type: resourceKey, key: instance, tenant }),
    );
  }

  /** Every instance of the configured resource type in the tenant, fetched page by page. */
  async listInstances(): Promise<ResourceInstanceRead[]> {
    const { resourceKey, tenant } = this.options.config;
    const all: ResourceInstanceRead[] = [];
    for (let page = 1; page <= maxPages; page += 1) {
      const items = await this.run("list resource instances", () =>
        this.permit.api.resourceInstances.list({ resource: resourceKey, tenant, page, perPage }),
      );
      all.push(...items);
      if (items.length < perPage) return all;
    }
    throw this.tooMany("list resource instances");
  }

  getInstance(instance: string): Promise<ResourceInstanceRead> {
    const id = `${this.options.config.resourceKey}:${instance}`;
    return this.run("get resource instance", () => this.permit.api.resourceInstances.get(id));
  }

  getInstanceById(id: string): Promise<ResourceInstanceRead> {
    return this.run("get resource instance", () => this.permit.api.resourceInstances.get(id));
  }

  /** The resource type's roles, as id and key. */
  async listRoles(): Promise<{ id: string; key: string }[]> {
    const roles = await this.run("list roles", () =>
      this.permit.api.resourceRoles.list({ resourceKey: this.options.config.resourceKey }),
    );
    return roles.map((role) => ({ id: role.id, key: role.key }));
  }

  /** The user's role assignments in the tenant, on one instance or on all. */
  rolesOf(user: string, instance?: string): Promise<RoleAssignmentRead[]> {
    const { resourceKey } = this.options.config;
    const resourceInstance = instance === undefined ? undefined : `${resourceKey}:${instance}`;
    return this.assignments({ user, resourceInstance });
  }

  private async assignments(filter: {
    user?: string;
    resourceInstance?: string;
  }): Promise<RoleAssignmentRead[]> {
    const { tenant } = this.options.config;
    const all: RoleAssignmentRead[] = [];
    for (let page = 1; page <= maxPages; page += 1) {
      const items = await this.run("list role assignments", () =>
        this.permit.api.roleAssignments.list({ ...filter, tenant, page, perPage }),
      );
      all.push(...items);
      if (items.length < perPage) return all;
    }
    throw this.tooMany("list role assignments");
  }

  /** A user by key or id. */
  getUser(user: string): Promise<UserRead> {
    return this.run("get user", () => this.permit.api.users.get(user));
  }

  updateUserAttributes(user: string, attributes: Record<string, unknown>): Promise<UserRead> {
    return this.run("update user attributes", () => this.permit.api.users.update(user, { attributes }));
  }

  /** An Elements token acting as `user`; a login answered with an `error` field is a failure. */
  async loginAs(user: string): Promise<string> {
    const operation = "log in to Elements as the acting user";
    const login = await this.run(operation, () =>
      this.permit.elements.loginAs({ userId: user, tenantId: this.options.config.tenant }),
    );
    // Permit's schema names the field `token`; some answers call it `element_bearer_token`.
    const record = login as unknown as Record<string, unknown>;
    const token = record.token ?? record.element_bearer_token;
    if (login.error || typeof token !== "string" || !token) {
      const code = login.error_code === undefined ? "" : ` (error code ${login.error_code})`;
      const reason = login.error ?? "the answer holds no token";
      throw new PermitCallError({
        operation,
        detail: this.options.redactor.clean(`${reason}${code}`),
        isTransient: false,
        mayHaveApplied: false,
        // Permit refuses a login for a user or tenant it does not know: the caller may not act here.
        code: /not found|forbidden/i.test(reason) ? "forbidden" : "upstream",
      });
    }
    this.options.redactor.addRecent(token);
    return token;
  }

  private run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return withRetries(this.options.retry, true, async () => {
      try {
        return await call();
      } catch (error) {
        throw new PermitCallError(this.failureOf(operation, error), { cause: error });
      }
    });
  }

  private failureOf(operation: string, error: unknown): CallFailure {
    const clean = (text: string) => this.options.redactor.clean(text);
    if (error instanceof PermitApiError) {
      const response = (error as PermitApiError<unknown>).response;
      if (response) return httpFailure(operation, response.status, clean(permitMessage(response.data, "")));
      const code = (error as PermitApiError<unknown>).originalError?.code;
      return transportFailure(operation, clean(describeTransport(code, error.message)));
    }
    if (error instanceof PermitConnectionError) {
      // The PDP error only carries axios's message inside its own text: read the status back out of it.
      const inner = /got error:\s*\n?\s*(.+)/.exec(error.message)?.[1]?.trim() ?? error.message;
      const status = /status code (\d{3})/.exec(inner)?.[1];
      if (status) return httpFailure(operation, Number(status), clean(`the PDP answered: ${inner}`));
      return transportFailure(operation, clean(`the PDP did not answer: ${inner}`));
    }
    const message = error instanceof PermitError || error instanceof Error ? error.message : String(error);
    return { operation, detail: clean(message), isTransient: false, mayHaveApplied: false };
  }

  private tooMany(operation: string): PermitCallError {
    return new PermitCallError({
      operation,
      detail: `more than ${maxPages * perPage} items; this server lists at most that many`,
      isTransient: false,
      mayHaveApplied: false,
    });
  }
}

function httpFailure(operation: string, status: number, detail: string): CallFailure {
  const isTransient = status === 429 || status >= 500;
  return { operation, status, detail, isTransient, mayHaveApplied: status >= 500 };
}

function transportFailure(operation: string, detail: string): CallFailure {
  return { operation, detail, isTransient: true, mayHaveApplied: true };
}

function describeTransport(code: string | undefined, message: string): string {
  if (code === "ECONNABORTED" || code === "ETIMEDOUT") return `no answer in time (${message})`;
  return `could not reach Permit (${code ?? message})`;
}
