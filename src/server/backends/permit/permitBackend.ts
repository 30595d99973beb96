import { randomUUID } from "node:crypto";
import type {
  AccessRequest,
  Backend,
  OperationApproval,
  Page,
  PageRequest,
  RequestFilter,
  RequestStatus,
  ResourceInstance,
} from "../types.js";
import {
  accessRequestNames,
  alreadyHoldsRole,
  alreadyPending,
  operationApprovalNames,
  operationKey,
} from "../rules.js";
import type { PermitConfig } from "./config.js";
import { callPermit, Directory } from "./directory.js";
import type { PermitHttp } from "./http.js";
import { Lifecycle, type RequestKind } from "./lifecycle.js";
import { encodeOperationReason, toAccessRequest, toOperationApproval } from "./mapping.js";
import { RequestsApi } from "./requestsApi.js";
import type { PermitSdk, ResourceInstanceRead } from "./sdk.js";
import { UseRecorder } from "./usedApprovals.js";

export interface PermitBackendParts {
  config: PermitConfig;
  sdk: PermitSdk;
  http: PermitHttp;
  reviewerRoles: readonly string[];
  now?: () => Date;
  /** Waits before reading a recorded use back (see UseRecorder); tests may pass their own. */
  pause?: (ms: number) => Promise<void>;
}

/**
 * The Access Request backend on a Permit.io environment. Decisions come from the PDP; access requests,
 * operation approvals, users, roles and instances live in Permit. The rules of the Backend interface are
 * checked here first (so a refusal is clear and nothing is sent), and Permit enforces its own on top.
 */
export class PermitBackend implements Backend {
  readonly resourceType: string;
  private readonly directory: Directory;
  private readonly lifecycle: Lifecycle;
  private readonly access: RequestKind<AccessRequest>;
  private readonly approvals: RequestKind<OperationApproval>;
  private readonly now: () => Date;
  // One consume at a time per user in this process; across processes UseRecorder does what Permit allows.
  private readonly consuming = new Map<string, Promise<unknown>>();
  private readonly uses: UseRecorder;

  constructor(private readonly parts: PermitBackendParts) {
    const { config, sdk, http } = parts;
    this.resourceType = config.resourceKey;
    this.now = parts.now ?? (() => new Date());
    this.directory = new Directory(sdk, this.resourceType, parts.reviewerRoles, config.requestableRoles);
    this.lifecycle = new Lifecycle(this.directory);
    this.uses = new UseRecorder(this.directory.attributes, randomUUID(), parts.pause);
    const type = this.resourceType;
    this.access = {
      ...accessRequestNames,
      api: new RequestsApi(http, config, "access request"),
      acting: (user) => Promise.resolve({ user }),
      toModel: async (raw) =>
        toAccessRequest(await this.directory.withKeys(raw), await this.directory.peopleOf(raw), type),
    };
    this.approvals = {
      ...operationApprovalNames,
      api: new RequestsApi(http, config, "operation approval"),
      acting: async (user) => ({ user, token: await this.loginAs(user) }),
      toModel: async (raw) => {
        const people = await this.directory.peopleOf(raw);
        const used = raw.status === "approved" ? await this.directory.usedApprovals(people.requester) : {};
        return toOperationApproval(await this.directory.withKeys(raw), people, type, used[raw.id] ?? null);
      },
    };
  }

  async listResourceInstances(_actor: string, page: PageRequest): Promise<Page<ResourceInstance>> {
    const all = await callPermit(this.parts.sdk.listInstances());
    const start = (page.page - 1) * page.perPage;
    const items = all.slice(start, start + page.perPage).map((read) => this.toInstance(read));
    return { items, page: page.page, perPage: page.perPage, total: all.length };
  }

  async getResourceInstance(_actor: string, key: string): Promise<ResourceInstance> {
    return this.toInstance(await this.directory.instance(key));
  }

  check(user: string, action: string, resourceInstance: string): Promise<boolean> {
    return callPermit(this.parts.sdk.check(user, action, resourceInstance));
  }

  isReviewer(user: string, resourceInstance: string): Promise<boolean> {
    return this.directory.isReviewer(user, resourceInstance);
  }

  async createAccessRequest(
    actor: string,
    input: { resourceInstance: string; role: string; reason: string },
  ): Promise<AccessRequest> {
    const { resourceInstance, role, reason } = input;
    await this.directory.assertKnownUser(actor);
    await this.directory.instance(resourceInstance);
    await this.directory.assertRequestable(role);
    if ((await this.directory.rolesOn(actor, resourceInstance)).includes(role))
      throw alreadyHoldsRole(actor, role, resourceInstance);
    const pending = await this.ownOf(this.access, actor, resourceInstance, "pending");
    const same = pending.find((request) => request.role === role);
    if (same) throw alreadyPending(this.access, actor, { id: same.id, resourceInstance }, role);
    const raw = await callPermit(this.access.api.create({ user: actor }, resourceInstance, reason, role));
    return this.access.toModel(raw);
  }

  async listAccessRequests(actor: string, filter: RequestFilter): Promise<Page<AccessRequest>> {
    if (filter.resourceInstance !== undefined) await this.directory.instance(filter.resourceInstance);
    if (filter.role !== undefined) await this.directory.assertRole(filter.role);
    return this.lifecycle.list(this.access, actor, filter);
  }

  approveAccessRequest(actor: string, id: string, reviewerComment?: string): Promise<AccessRequest> {
    return this.lifecycle.decide(this.access, actor, id, "approve", reviewerComment);
  }

  denyAccessRequest(actor: string, id: string, reviewerComment?: string): Promise<AccessRequest> {
    return this.lifecycle.decide(this.access, actor, id, "deny", reviewerComment);
  }

  cancelAccessRequest(actor: string, id: string): Promise<AccessRequest> {
    return this.lifecycle.cancel(this.access, actor, id);
  }

  async createOperationApproval(
    actor: string,
    input: { resourceInstance: string; operation: string; reason: string },
  ): Promise<OperationApproval> {
    const { resourceInstance, operation, reason } = input;
    await this.directory.assertKnownUser(actor);
    await this.directory.instance(resourceInstance);
    const key = operationKey(operation);
    const pending = await this.ownOf(this.approvals, actor, resourceInstance, "pending");
    const same = pending.find((approval) => operationKey(approval.operation) === key);
    if (same)
      throw alreadyPending(this.approvals, actor, { id: same.id, resourceInstance }, `"${operation}"`);
    const as = await this.approvals.acting(actor);
    const text = encodeOperationReason(operation, reason);
    const raw = await callPermit(this.approvals.api.create(as, resourceInstance, text));
    return this.approvals.toModel(raw);
  }

  async listOperationApprovals(
    actor: string,
    filter: Omit<RequestFilter, "role">,
  ): Promise<Page<OperationApproval>> {
    if (filter.resourceInstance !== undefined) await this.directory.instance(filter.resourceInstance);
    return this.lifecycle.list(this.approvals, actor, filter);
  }

  approveOperationApproval(actor: string, id: string, reviewerComment?: string): Promise<OperationApproval> {
    return this.lifecycle.decide(this.approvals, actor, id, "approve", reviewerComment);
  }

  denyOperationApproval(actor: string, id: string, reviewerComment?: string): Promise<OperationApproval> {
    return this.lifecycle.decide(this.approvals, actor, id, "deny", reviewerComment);
  }

  cancelOperationApproval(actor: string, id: string): Promise<OperationApproval> {
    return this.lifecycle.cancel(this.approvals, actor, id);
  }

  /**
   * Permit grants an approved operation approval as a role and has no notion of using one up, so this
   * backend records each use on the requester (user attribute `askfirst_used_operation_approvals`).
   * Oldest approval first; operations match as in the local backend. An approval another process
   * recorded first is skipped for the next one; the window UseRecorder cannot close is described there.
   */
  consumeOperationApproval(
    actor: string,
    resourceInstance: string,
    operation?: string,
  ): Promise<OperationApproval | null> {
    const previous = this.consuming.get(actor) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.consumeNow(actor, resourceInstance, operation));
    this.consuming.set(actor, next);
    return next;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async consumeNow(
    actor: string,
    resourceInstance: string,
    operation?: string,
  ): Promise<OperationApproval | null> {
    const approved = await this.ownOf(this.approvals, actor, resourceInstance, "approved");
    const key = operation === undefined ? undefined : operationKey(operation);
    const usable = approved
      .filter((item) => item.usedAt === null)
      .filter((item) => key === undefined || operationKey(item.operation) === key)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const chosen of usable) {
      const usedAt = this.now().toISOString();
      if (await this.uses.claim(actor, chosen.id, usedAt)) return { ...chosen, usedAt };
    }
    return null;
  }

  /** The actor's own requests of one kind and status on the instance. */
  private async ownOf<T extends AccessRequest | OperationApproval>(
    kind: RequestKind<T>,
    actor: string,
    resourceInstance: string,
    status: RequestStatus,
  ): Promise<T[]> {
    const filter = { status, resourceInstance, page: 1, perPage: 10_000 };
    const page = await this.lifecycle.list(kind, actor, filter);
    return page.items.filter((item) => item.requester === actor);
  }

  private async loginAs(user: string): Promise<string> {
    return callPermit(this.parts.sdk.loginAs(user));
  }

  private toInstance(read: ResourceInstanceRead): ResourceInstance {
    return {
      key: read.key,
      resourceType: this.resourceType,
      attributes: { ...((read.attributes ?? {}) as Record<string, unknown>) },
    };
  }
}
