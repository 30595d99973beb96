import { randomBytes } from "node:crypto";
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
import {
  accessRequestNames,
  alreadyHoldsRole,
  alreadyPending,
  operationApprovalNames,
  operationKey,
} from "../rules.js";
import { applySeedOnce } from "./applySeed.js";
import { Catalog } from "./catalog.js";
import type { Db } from "./database.js";
import { openDatabase, readMeta } from "./database.js";
import { checkDataFolder, emptyDataError } from "./dataFolder.js";
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
  // Checked before opening, so a mistyped --data path does not leave an empty database behind.
  checkDataFolder(options.dataDir, { isSeeded: options.seed !== undefined });
  const db = openDatabase(options.dataDir);
  try {
    if (options.seed) applySeedOnce(db, options.seed);
    const resourceType = readMeta(db, "resource_type");
    if (resourceType === undefined) throw emptyDataError(options.dataDir);
    return new LocalBackend(db, resourceType, options.now ?? (() => new Date()));
  } catch (error) {
    db.close();
    throw error;
  }
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
  private readonly catalog: Catalog;
  private readonly accessRequests: RequestTable;
  private readonly operationApprovals: RequestTable;

  constructor(
    private readonly db: Db,
    readonly resourceType: string,
    private readonly now: () => Date,
  ) {
    this.statements = prepareStatements(db);
    this.catalog = new Catalog(this.statements, resourceType);
    const ctx = {
      db,
      resourceType,
      now,
      isReviewer: (user: string, instance: string) => this.catalog.isReviewer(user, instance),
    };
    this.accessRequests = new RequestTable(ctx, { table: "access_requests", ...accessRequestNames });
    this.operationApprovals = new RequestTable(ctx, {
      table: "operation_approvals",
      ...operationApprovalNames,
    });
  }

  listResourceInstances(_actor: string, page: PageRequest): Promise<Page<ResourceInstance>> {
    return this.settle(() => {
      const offset = (page.page - 1) * page.perPage;
      const rows = this.statements.listInstances.all(this.resourceType, page.perPage, offset);
      const total = this.statements.countInstances.get(this.resourceType)?.n ?? 0;
      return {
        items: rows.map((row) => this.catalog.toInstance(row)),
        page: page.page,
        perPage: page.perPage,
        total,
      };
    });
  }

  getResourceInstance(_actor: string, key: string): Promise<ResourceInstance> {
    return this.settle(() => this.catalog.toInstance(this.catalog.instanceRow(key)));
  }

  check(user: string, action: string, resourceInstance: string): Promise<boolean> {
    return Promise.resolve(
      this.statements.check.get(user, this.resourceType, resourceInstance, action) !== undefined,
    );
  }

  isReviewer(user: string, resourceInstance: string): Promise<boolean> {
    return Promise.resolve(this.catalog.isReviewer(user, resourceInstance));
  }

  createAccessRequest(
    actor: string,
    input: { resourceInstance: string; role: string; reason: string },
  ): Promise<AccessRequest> {
    const create = this.db.transaction(() => {
      this.catalog.assertKnownUser(actor);
      this.catalog.instanceRow(input.resourceInstance);
      this.catalog.assertRequestable(input.role);
      const { resourceInstance, role, reason } = input;
      if (this.statements.hasRole.get(actor, this.resourceType, resourceInstance, role))
        throw alreadyHoldsRole(actor, role, resourceInstance);
      const pending = this.statements.pendingAccessRequest.get(
        actor,
        this.resourceType,
        resourceInstance,
        role,
      );
      if (pending)
        throw alreadyPending(accessRequestNames, actor, { id: pending.id, resourceInstance }, role);
      const id = newId("ar");
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
    return this.list(this.accessRequests, actor, filter, toAccessRequest);
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
      this.catalog.assertKnownUser(actor);
      this.catalog.instanceRow(input.resourceInstance);
      const { resourceInstance, operation, reason } = input;
      const key = operationKey(operation);
      const pending = this.statements.pendingOperationApproval.get(
        actor,
        this.resourceType,
        resourceInstance,
        key,
      );
      if (pending)
        throw alreadyPending(
          operationApprovalNames,
          actor,
          { id: pending.id, resourceInstance },
          `"${operation}"`,
        );
      const id = newId("oa");
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
    return this.list(this.operationApprovals, actor, filter, toOperationApproval);
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

  private list<T>(
    table: RequestTable,
    actor: string,
    filter: RequestFilter,
    toModel: (row: RequestRow) => T,
  ): Promise<Page<T>> {
    return this.settle(() => {
      this.catalog.validateFilter(filter);
      const page = table.list(actor, filter);
      return { ...page, items: page.items.map(toModel) };
    });
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
