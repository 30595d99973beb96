import type { RequestFilter, ResourceInstance } from "../types.js";
import { notRequestable, requestableRoles, unknownInstance, unknownRole } from "../rules.js";
import { BackendError } from "../types.js";
import { requestableRolesMeta } from "./database.js";
import type { Statements } from "./statements.js";

export interface InstanceRow {
  key: string;
  attributes: string;
}

/**
 * Lookups of what the seed defined (instances, roles, users, reviewers) for one resource type, each failing
 * with the BackendError a tool shows the model: what was wrong and where to find valid values.
 */
export class Catalog {
  constructor(
    private readonly statements: Statements,
    private readonly resourceType: string,
  ) {}

  instanceRow(key: string): InstanceRow {
    const row = this.statements.getInstance.get(this.resourceType, key);
    if (!row) throw unknownInstance(this.resourceType, key);
    return row;
  }

  toInstance(row: InstanceRow): ResourceInstance {
    return {
      key: row.key,
      resourceType: this.resourceType,
      attributes: JSON.parse(row.attributes) as Record<string, unknown>,
    };
  }

  isReviewer(user: string, instance: string): boolean {
    return this.statements.isReviewer.get(user, this.resourceType, instance) !== undefined;
  }

  assertKnownUser(user: string): void {
    if (!this.statements.getUser.get(user))
      throw new BackendError(
        "forbidden",
        `user ${user} is not known to this server; ask an administrator to add them`,
      );
  }

  assertRole(role: string): void {
    if (this.statements.getRole.get(this.resourceType, role)) return;
    const roles = this.statements.listRoles.all(this.resourceType).map((row) => row.role);
    throw unknownRole(this.resourceType, role, roles);
  }

  /** A role an access request may ask for (see requestableRoles); else the BackendError naming those it may. */
  assertRequestable(role: string): void {
    this.assertRole(role);
    const requestable = this.requestableRoles();
    if (!requestable.includes(role)) throw notRequestable(this.resourceType, role, requestable);
  }

  /** As seeded; a folder seeded before requestable roles were recorded gets the default. */
  private requestableRoles(): string[] {
    const recorded = this.statements.getMeta.get(requestableRolesMeta);
    const roles = this.statements.listRoles.all(this.resourceType);
    const reviewerRoles = roles.filter((row) => row.isReviewer === 1).map((row) => row.role);
    const configured = recorded ? (JSON.parse(recorded.value) as string[]) : undefined;
    return requestableRoles(
      roles.map((row) => row.role),
      reviewerRoles,
      configured,
    );
  }

  /** A filter naming an unknown instance or role is a mistake worth saying, not an empty page. */
  validateFilter(filter: RequestFilter | Omit<RequestFilter, "role">): void {
    if (filter.resourceInstance !== undefined) this.instanceRow(filter.resourceInstance);
    if ("role" in filter && filter.role !== undefined) this.assertRole(filter.role);
  }
}
