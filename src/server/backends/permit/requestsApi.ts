import { z } from "zod";
import type { RequestStatus } from "../types.js";
import type { PermitConfig } from "./config.js";
import { PermitCallError } from "./failure.js";
import type { PermitHttp } from "./http.js";

/** A request as Permit answers it, for both access requests and operation approvals. */
export const permitRequestSchema = z.looseObject({
  id: z.string().min(1),
  requesting_user_id: z.string().min(1),
  access_request_details: z
    .looseObject({ resource_instance: z.string().nullish(), role: z.string().nullish() })
    .nullish(),
  resource_instance_key: z.string().nullish(),
  reason: z.string().nullish(),
  status: z.string().nullish(),
  reviewer_user_id: z.string().nullish(),
  reviewer_comment: z.string().nullish(),
  created_at: z.string(),
  reviewed_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type PermitRequest = z.infer<typeof permitRequestSchema>;

const listSchema = z.union([
  z.object({ data: z.array(permitRequestSchema), page_count: z.number().optional() }),
  z.array(permitRequestSchema).transform((data) => ({ data, page_count: undefined })),
]);

export interface RequestQuery {
  status?: RequestStatus;
  role?: string;
  resourceInstance?: string;
}

export type Decision = "approve" | "deny";

const perPage = 100;
const maxPages = 20;

/**
 * One kind of request in Permit: access requests through the facts API (acting as the user named in the
 * path, with the API key) or operation approvals through the elements API (with the user's Elements
 * token). Both answer the same request shape and move pending → approved | denied | canceled.
 */
export class RequestsApi {
  constructor(
    private readonly http: PermitHttp,
    private readonly config: PermitConfig,
    private readonly kind: "access request" | "operation approval",
  ) {}

  async create(as: Acting, instance: string, reason: string, role?: string): Promise<PermitRequest> {
    const { tenant, resourceKey } = this.config;
    const details: Record<string, string> = { tenant, resource: resourceKey, resource_instance: instance };
    if (role !== undefined) details.role = role;
    const body = { access_request_details: details, reason };
    const answer = await this.http.call({
      operation: `create ${this.kind}`,
      method: "POST",
      path: this.pathOf(as),
      body,
      token: as.token,
    });
    return this.parse(`create ${this.kind}`, permitRequestSchema, answer);
  }

  /** Every request the acting user may see that matches, fetched page by page. */
  async list(as: Acting, query: RequestQuery): Promise<PermitRequest[]> {
    const operation = `list ${this.kind}s`;
    const all: PermitRequest[] = [];
    for (let page = 1; page <= maxPages; page += 1) {
      const answer = await this.http.call({
        operation,
        method: "GET",
        path: this.pathOf(as),
        query: this.queryOf(query, page),
        token: as.token,
      });
      const listed = this.parse(operation, listSchema, answer);
      all.push(...listed.data);
      const isLast =
        listed.page_count === undefined ? listed.data.length < perPage : page >= listed.page_count;
      if (isLast) return all;
    }
    throw new PermitCallError({
      operation,
      detail: `more than ${maxPages * perPage} ${this.kind}s match; filter by status or resource_instance`,
      isTransient: false,
      mayHaveApplied: false,
    });
  }

  async get(as: Acting, id: string): Promise<PermitRequest> {
    const answer = await this.http.call({
      operation: `get ${this.kind}`,
      method: "GET",
      path: [...this.pathOf(as), id],
      token: as.token,
    });
    return this.parse(`get ${this.kind}`, permitRequestSchema, answer);
  }

  async decide(as: Acting, id: string, decision: Decision, comment?: string): Promise<PermitRequest> {
    const operation = `${decision} ${this.kind}`;
    const answer = await this.http.call({
      operation,
      method: "PUT",
      path: [...this.pathOf(as), id, decision],
      body: comment === undefined ? {} : { reviewer_comment: comment },
      token: as.token,
    });
    return this.parse(operation, permitRequestSchema, answer);
  }

  /** Permit documents no request body for a cancel, so none is sent. */
  async cancel(as: Acting, id: string): Promise<PermitRequest> {
    const operation = `cancel ${this.kind}`;
    const answer = await this.http.call({
      operation,
      method: "PUT",
      path: [...this.pathOf(as), id, "cancel"],
      token: as.token,
    });
    return this.parse(operation, permitRequestSchema, answer);
  }

  private pathOf(as: Acting): string[] {
    const { projectId, envId, tenant } = this.config;
    if (this.kind === "access request")
      return ["v2", "facts", projectId, envId, "access_requests", this.config.accessElementsConfigId].concat([
        "user",
        as.user,
        "tenant",
        tenant,
      ]);
    const config = this.config.operationElementsConfigId;
    return ["v2", "elements", projectId, envId, "config", config, "operation_approval"];
  }

  private queryOf(query: RequestQuery, page: number): Record<string, string | number | undefined> {
    const instanceParam = this.kind === "access request" ? "resource_instance_id" : "resource_instance";
    return {
      resource: this.config.resourceKey,
      status: query.status,
      role: query.role,
      [instanceParam]: query.resourceInstance,
      page,
      per_page: perPage,
    };
  }

  /** A 2xx answer Permit did not shape as documented is not a success: nothing is reported done. */
  private parse<T>(operation: string, schema: z.ZodType<T>, answer: unknown): T {
    const result = schema.safeParse(answer);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "(root)";
    throw new PermitCallError({
      operation,
      detail: `Permit's answer is not the documented shape (${where}: ${issue?.message ?? "invalid"})`,
      isTransient: false,
      mayHaveApplied: true,
    });
  }
}

/** Who a call acts as: the user, and for operation approvals that user's Elements token. */
export interface Acting {
  user: string;
  token?: string;
}
