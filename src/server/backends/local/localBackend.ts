import { randomBytes } from "node:crypto";
import { UsageError } from "../../../errors.js";
import type { Seed } from "../../seed.js";
import type {
  AccessRequest,
  Backend,
  OperationApproval,
  Page,
  PageRequest,
  RequestFilter,
  ResourceInstance,
} from "../types.js";
import { BackendError } from "../types.js";
import { applySeedOnce } from "./applySeed.js";
import type { Db } from "./database.js";
import { openDatabase, readMeta } from "./database.js";
import { toAccessRequest, toOperationApproval } from "./rows.js";
import type { RequestRow } from "./requestTable.js";
import { RequestTable } from "./requestTable.js";
import { prepareStatements, type Statements } from "./statements.js";

export interface LocalBackendOptions {
  dataDir: string;
  /** Seeds an empty data folder; a folder seeded before is left as it is. */
  seed?: Seed;
  now?: () => Date;
}

/** Opens the embedded backend on a data folder, seeding it first when a seed is given. */
export function openLocalBackend(options: LocalBackendOptions): LocalBackend {
  const db = openDatabase(options.dataDir);
  try {
    if (options.seed) applySeedOnce(db, options.seed);
    const resourceType = readMeta(db, "resource_type");
    if (resourceType === undefined)
      throw new UsageError(
        `data folder ${options.dataDir} holds no resources yet; start with --demo family-food or --seed <file>`,
        "empty_data",
      );
    return new LocalBackend(db, resourceType, options.now ?? (() => new Date()));
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Lower case, single spaces, no spaces around ":" — so "Order_Dish: Truffle  Pizza" matches "order_dish:truffle pizza". */
export function operationKey(operation: string): string {
  return operation
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/\s*:\s*/g, ":");
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/**
 * The local backend: SQLite in a data folder. Authorization lives here; synchronous better-sqlite3 calls
 * behind the async Backend interface keep `check` to one prepared-statement lookup.
 */
export class LocalBackend implements Backend {
  private readonly statements: Statements;
  private readonly accessRequests: RequestTable;
  private readonly operationApprovals: RequestTable;

  constructor(
    private readonly db: Db,
    readonly resourceType: string,
    private readonly now: () => Date,
  ) {
    this.statements = prepareStatements(db);
    const ctx = {
      db,
      resourceType,
      now,
      isReviewer: (user: string, instance: string) => this.isReviewerNow(user, instance),
    };
    this.accessRequests = new RequestTable(ctx, {
      table: "access_requests",
      noun: "access request",
      listTool: "list_access_requests",
    });
    this.operationApprovals = new RequestTable(ctx, {
      table: "operation_approvals",
      noun: "operation approval",
      listTool: "list_operation_approvals",
    });
  }

  listResourceInstances(_actor: string, page: PageRequest): Promise<Page<ResourceInstance>> {
    return this.settle(() => {
      const offset = (page.page - 1) * page.perPage;
      const rows = this.statements.listInstances.all(this.resourceType, page.perPage, offset);
      const total = this.statements.countInstances.get(this.resourceType)?.n ?? 0;
      return {
        items: rows.map((row) => this.toInstance(row)),
        page: page.page,
        perPage: page.perPage,
        total,
      };
    });
  }

  getResourceInstance(_actor: string, key: string): Promise<ResourceInstance> {
    return this.settle(() => this.toInstance(this.instanceRow(key)));
  }

  check(user: string, action: string, resourceInstance: string): Promise<boolean> {
    return Promise.resolve(
      this.statements.check.get(user, this.resourceType, resourceInstance, action) !== undefined,
    );
  }

  isReviewer(user: string, resourceInstance: string): Promise<boolean> {
    return Promise.resolve(this.isReviewerNow(user, resourceInstance));
  }

  createAccessRequest(
    actor: string,
    input: { resourceInstance: string; role: string; reason: string },
  ): Promise<AccessRequest> {
    const create = this.db.transaction(() => {
      this.assertKnownUser(actor);
      this.instanceRow(input.resourceInstance);
      this.assertRole(input.role);
      if (this.statements.hasRole.get(actor, this.resourceType, input.resourceInstance, input.role))
        throw new BackendError(
          "conflict",
          `${actor} already holds role ${input.role} on ${input.resourceInstance}; there is nothing to ask for`,
        );
      const pending = this.statements.pendingAccessRequest.get(
        actor,
        this.resourceType,
        input.resourceInstance,
        input.role,
      );
      if (pending)
        throw new BackendError(
          "conflict",
          `${actor} already has pending access request ${pending.id} for ${input.role} on ${input.resourceInstance}; wait for a reviewer or cancel it`,
        );
      const id = newId("ar");
      const { resourceInstance, role, reason } = input;
      this.statements.insertAccessRequest.run({
        id,
        actor,
        type: this.resourceType,
        resourceInstance,
        role,
        reason,
        at: this.stamp(),
      });
      return this.accessRequests.get(id);
    });
    return this.settle(() => toAccessRequest(create.immediate()));
  }

  listAccessRequests(actor: string, filter: RequestFilter): Promise<Page<AccessRequest>> {
    return this.settle(() => {
      this.validateFilter(filter);
      const page = this.accessRequests.list(actor, filter);
      return { ...page, items: page.items.map(toAccessRequest) };
    });
  }

  approveAccessRequest(actor: string, id: string, reviewerComment?: string): Promise<AccessRequest> {
    const grant = (row: RequestRow): void => {
      this.statements.assignRole.run(row.requester, row.resource_type, row.instance, row.role ?? "");
    };
    return this.settle(() =>
      toAccessRequest(this.accessRequests.decide(actor, id, "approved", reviewerComment, grant)),
    );
  }

  denyAccessRequest(actor: string, id: string, reviewerComment?: string): Promise<AccessRequest> {
    return this.settle(() =>
      toAccessRequest(this.accessRequests.decide(actor, id, "denied", reviewerComment)),
    );
  }

  cancelAccessRequest(actor: string, id: string): Promise<AccessRequest> {
    return this.settle(() => toAccessRequest(this.accessRequests.cancel(actor, id)));
  }

  createOperationApproval(
    actor: string,
    input: { resourceInstance: string; operation: string; reason: string },
  ): Promise<OperationApproval> {
    const create = this.db.transaction(() => {
      this.assertKnownUser(actor);
      this.instanceRow(input.resourceInstance);
      const key = operationKey(input.operation);
      const pending = this.statements.pendingOperationApproval.get(
        actor,
        this.resourceType,
        input.resourceInstance,
        key,
      );
      if (pending)
        throw new BackendError(
          "conflict",
          `${actor} already has pending operation approval ${pending.id} for "${input.operation}" on ${input.resourceInstance}; wait for a reviewer or cancel it`,
        );
      const id = newId("oa");
      const { resourceInstance, operation, reason } = input;
      this.statements.insertOperationApproval.run({
        id,
        actor,
        type: this.resourceType,
        resourceInstance,
        operation,
        key,
        reason,
        at: this.stamp(),
      });
      return this.operationApprovals.get(id);
    });
    return this.settle(() => toOperationApproval(create.immediate()));
  }

  listOperationApprovals(
    actor: string,
    filter: Omit<RequestFilter, "role">,
  ): Promise<Page<OperationApproval>> {
    return this.settle(() => {
      this.validateFilter(filter);
      const page = this.operationApprovals.list(actor, filter);
      return { ...page, items: page.items.map(toOperationApproval) };
    });
  }

  approveOperationApproval(actor: string, id: string, reviewerComment?: string): Promise<OperationApproval> {
    return this.settle(() =>
      toOperationApproval(this.operationApprovals.decide(actor, id, "approved", reviewerComment)),
    );
  }

  denyOperationApproval(actor: string, id: string, reviewerComment?: string): Promise<OperationApproval> {
    return this.settle(() =>
      toOperationApproval(this.operationApprovals.decide(actor, id, "denied", reviewerComment)),
    );
  }

  cancelOperationApproval(actor: string, id: string): Promise<OperationApproval> {
    return this.settle(() => toOperationApproval(this.operationApprovals.cancel(actor, id)));
  }

  /** Operations match case-insensitively, ignoring spacing (see operationKey); oldest approval first. */
  consumeOperationApproval(
    actor: string,
    resourceInstance: string,
    operation?: string,
  ): Promise<OperationApproval | null> {
    const consume = this.db.transaction((): RequestRow | null => {
      const found =
        operation === undefined
          ? this.statements.usableApproval.get(actor, this.resourceType, resourceInstance)
          : this.statements.usableApprovalFor.get(
              actor,
              this.resourceType,
              resourceInstance,
              operationKey(operation),
            );
      if (!found) return null;
      this.statements.useApproval.run(this.stamp(), found.id);
      return this.operationApprovals.get(found.id);
    });
    return this.settle(() => {
      const row = consume.immediate();
      return row ? toOperationApproval(row) : null;
    });
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  private isReviewerNow(user: string, instance: string): boolean {
    return this.statements.isReviewer.get(user, this.resourceType, instance) !== undefined;
  }

  private instanceRow(key: string): { key: string; attributes: string } {
    const row = this.statements.getInstance.get(this.resourceType, key);
    if (!row)
      throw new BackendError(
        "not_found",
        `no ${this.resourceType} instance "${key}"; call list_resource_instances to see valid keys`,
      );
    return row;
  }

  private toInstance(row: { key: string; attributes: string }): ResourceInstance {
    return {
      key: row.key,
      resourceType: this.resourceType,
      attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    };
  }

  private assertKnownUser(user: string): void {
    if (!this.statements.getUser.get(user))
      throw new BackendError(
        "forbidden",
        `user ${user} is not known to this server; ask an administrator to add them`,
      );
  }

  private assertRole(role: string): void {
    if (this.statements.getRole.get(this.resourceType, role)) return;
    const roles = this.statements.listRoles.all(this.resourceType).map((row) => row.role);
    throw new BackendError(
      "invalid",
      `unknown role "${role}" for ${this.resourceType}; roles: ${roles.join(", ")}`,
    );
  }

  private validateFilter(filter: RequestFilter | Omit<RequestFilter, "role">): void {
    if (filter.resourceInstance !== undefined) this.instanceRow(filter.resourceInstance);
    if ("role" in filter && filter.role !== undefined) this.assertRole(filter.role);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /** Runs synchronous work and turns a throw into a rejected promise, as async callers expect. */
  private settle<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
