import { notRequestable, requestableRoles, unknownInstance, unknownRole } from "../rules.js";
import { BackendError } from "../types.js";
import { PermitCallError, isStatus, toBackendError } from "./failure.js";
import type { People } from "./mapping.js";
import type { PermitRequest } from "./requestsApi.js";
import type { PermitSdk, ResourceInstanceRead } from "./sdk.js";
import { usedFrom, type AttributeStore } from "./usedApprovals.js";

/**
 * What the backend needs to know about users, roles and instances, read from Permit through the SDK.
 * Permit ids of users are mapped back to keys (and remembered: a user's id never changes).
 */
export class Directory {
  private readonly keysById = new Map<string, string>();
  private roles: { id: string; key: string }[] | undefined;
  private readonly instanceKeysById = new Map<string, string>();

  constructor(
    private readonly sdk: PermitSdk,
    private readonly resourceType: string,
    private readonly reviewerRoles: readonly string[],
    private readonly requestableRoles?: readonly string[],
  ) {}

  async assertKnownUser(user: string): Promise<void> {
    try {
      const found = await this.sdk.getUser(user);
      this.keysById.set(found.id, found.key);
    } catch (error) {
      if (isStatus(error, 404))
        throw new BackendError(
          "forbidden",
          `user ${user} is not known to Permit in this environment; ask an administrator to add them`,
        );
      throw rethrown(error);
    }
  }

  async instance(key: string): Promise<ResourceInstanceRead> {
    try {
      return await this.sdk.getInstance(key);
    } catch (error) {
      if (isStatus(error, 404)) throw unknownInstance(this.resourceType, key);
      throw rethrown(error);
    }
  }

  async assertRole(role: string): Promise<void> {
    const roles = await this.listRoles();
    if (roles.some((known) => known.key === role)) return;
    throw unknownRole(
      this.resourceType,
      role,
      roles.map((known) => known.key),
    );
  }

  /** A role an access request may ask for (see requestableRoles in rules.ts). */
  async assertRequestable(role: string): Promise<void> {
    await this.assertRole(role);
    const keys = (await this.listRoles()).map((known) => known.key);
    const requestable = requestableRoles(keys, this.reviewerRoles, this.requestableRoles);
    if (!requestable.includes(role)) throw notRequestable(this.resourceType, role, requestable);
  }

  private async listRoles(): Promise<{ id: string; key: string }[]> {
    this.roles ??= await callPermit(this.sdk.listRoles());
    return this.roles;
  }

  /**
   * Permit's documentation shows requests naming their instance and role by id as well as by key; ids are
   * read back as keys here (and remembered), so requests compare with what tools and role assignments use.
   */
  async withKeys(raw: PermitRequest): Promise<PermitRequest> {
    const details = raw.access_request_details;
    if (!details) return raw;
    const instance = details.resource_instance;
    const role = details.role;
    const resolved = { ...details };
    if (instance && isUuid(instance)) resolved.resource_instance = await this.instanceKeyOf(instance);
    if (role && isUuid(role))
      resolved.role = (await this.listRoles()).find((known) => known.id === role)?.key ?? role;
    return { ...raw, access_request_details: resolved };
  }

  private async instanceKeyOf(id: string): Promise<string> {
    const known = this.instanceKeysById.get(id);
    if (known !== undefined) return known;
    const read = await callPermit(this.sdk.getInstanceById(id));
    this.instanceKeysById.set(id, read.key);
    return read.key;
  }

  async rolesOn(user: string, instance: string): Promise<string[]> {
    const assignments = await callPermit(this.sdk.rolesOf(user, instance));
    return assignments.map((assignment) => assignment.role);
  }

  async isReviewer(user: string, instance: string): Promise<boolean> {
    const roles = await this.rolesOn(user, instance);
    return roles.some((role) => this.reviewerRoles.includes(role));
  }

  /** The instances on which `user` holds a reviewer role. */
  async reviewedBy(user: string): Promise<Set<string>> {
    const assignments = await callPermit(this.sdk.rolesOf(user));
    const prefix = `${this.resourceType}:`;
    const instances = assignments
      .filter((assignment) => this.reviewerRoles.includes(assignment.role))
      .map((assignment) => assignment.resource_instance ?? "")
      .filter((instance) => instance.startsWith(prefix))
      .map((instance) => instance.slice(prefix.length));
    return new Set(instances);
  }

  async keyOf(userId: string): Promise<string> {
    const known = this.keysById.get(userId);
    if (known !== undefined) return known;
    const user = await callPermit(this.sdk.getUser(userId));
    this.keysById.set(userId, user.key);
    return user.key;
  }

  async peopleOf(raw: PermitRequest): Promise<People> {
    const requester = await this.keyOf(raw.requesting_user_id);
    const reviewer = raw.reviewer_user_id ? await this.keyOf(raw.reviewer_user_id) : null;
    return { requester, reviewer };
  }

  /** Approval id → when it was used, as recorded on the requester in Permit. */
  async usedApprovals(user: string): Promise<Record<string, string>> {
    const found = await callPermit(this.sdk.getUser(user));
    return usedFrom(found.attributes);
  }

  /** The user's attributes as Permit holds them; writing replaces them all (Permit's PATCH does). */
  readonly attributes: AttributeStore = {
    read: async (user) => {
      const found = await callPermit(this.sdk.getUser(user));
      return { ...((found.attributes ?? {}) as Record<string, unknown>) };
    },
    write: async (user, attributes) => {
      await callPermit(this.sdk.updateUserAttributes(user, attributes));
    },
  };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** A failed Permit call as the BackendError tools report; anything else unchanged. */
export function rethrown(error: unknown): unknown {
  return error instanceof PermitCallError ? toBackendError(error) : error;
}

/** Awaits a Permit call; a failure comes out as the BackendError tools report (see rethrown). */
export async function callPermit<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw rethrown(error);
  }
}
