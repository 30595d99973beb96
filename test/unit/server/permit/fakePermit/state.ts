import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** The part of examples/family-food/seed.json the fake reads. */
interface SeedFile {
  resource: { key: string; roles: Record<string, string[]>; reviewerRoles: string[] };
  instances: { key: string; attributes: Record<string, unknown> }[];
  users: { key: string; attributes: Record<string, unknown> }[];
  roleAssignments: { user: string; role: string; instance: string }[];
}

export interface FakeUser {
  id: string;
  key: string;
  email: string;
  attributes: Record<string, unknown>;
}

export interface FakeRequest {
  id: string;
  kind: "access" | "operation";
  requesting_user_id: string;
  access_request_details: { tenant: string; resource: string; resource_instance: string; role?: string };
  reason: string;
  status: "pending" | "approved" | "denied" | "canceled";
  reviewer_user_id: string | null;
  reviewer_comment: string | null;
  created_at: string;
  updated_at: string;
  reviewed_at: string | null;
}

/** Permit's own roles of the Operation Approval element, looked up by these keys. */
export const reviewerRole = "_Reviewer_";
export const approvedRole = "_Approved_";

/**
 * What the fake Permit environment holds, seeded from the family demo the way its README sets Permit up:
 * the resource's roles plus `_Reviewer_` (held by the seed's reviewers) and `_Approved_` (which grants
 * nothing, so an approval is only usable through the backend). Reviewers of access requests are the
 * holders of the seed's reviewer roles, as the User Management element's Level 1.
 */
export class FakePermitState {
  readonly resource: string;
  readonly roles: Record<string, string[]>;
  readonly levelOneRoles: string[];
  readonly instances = new Map<string, Record<string, unknown>>();
  readonly users = new Map<string, FakeUser>();
  readonly assignments: { user: string; role: string; instance: string }[] = [];
  readonly requests: FakeRequest[] = [];
  readonly tokens = new Map<string, string>();
  readonly ids = new Map<string, string>();
  /** Answer requests naming their instance and role by id, as some of Permit's documented examples do. */
  isNamingByIds = false;
  private clock = Date.parse("2026-01-01T00:00:00Z");

  constructor(seed: SeedFile) {
    this.resource = seed.resource.key;
    this.roles = { ...seed.resource.roles, [reviewerRole]: [], [approvedRole]: [] };
    this.levelOneRoles = seed.resource.reviewerRoles;
    for (const instance of seed.instances) this.instances.set(instance.key, instance.attributes);
    for (const user of seed.users)
      this.users.set(user.key, {
        id: randomUUID(),
        key: user.key,
        email: `${user.key}@example.com`,
        attributes: { ...user.attributes },
      });
    for (const assignment of seed.roleAssignments) {
      this.assignments.push(assignment);
      if (this.levelOneRoles.includes(assignment.role))
        this.assignments.push({ ...assignment, role: reviewerRole });
    }
  }

  static fromDemoSeed(): FakePermitState {
    const path = resolve(import.meta.dirname, "../../../../../examples/family-food/seed.json");
    return new FakePermitState(JSON.parse(readFileSync(path, "utf8")) as SeedFile);
  }

  /** A stable UUID for an instance or role key. */
  idOf(kind: "instance" | "role", key: string): string {
    const name = `${kind}:${key}`;
    if (!this.ids.has(name)) this.ids.set(name, randomUUID());
    return this.ids.get(name) ?? "";
  }

  keyOfId(kind: "instance" | "role", id: string): string | undefined {
    return [...this.ids]
      .find(([name, known]) => known === id && name.startsWith(`${kind}:`))?.[0]
      .slice(kind.length + 1);
  }

  /** Strictly increasing times, so "newest first" is well defined. */
  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  user(idOrKey: string): FakeUser | undefined {
    return this.users.get(idOrKey) ?? [...this.users.values()].find((user) => user.id === idOrKey);
  }

  rolesOn(user: string, instance: string): string[] {
    return this.assignments
      .filter((assignment) => assignment.user === user && assignment.instance === instance)
      .map((assignment) => assignment.role);
  }

  allows(user: string, action: string, instance: string): boolean {
    return this.rolesOn(user, instance).some((role) => this.roles[role]?.includes(action));
  }

  assign(user: string, role: string, instance: string): void {
    if (!this.rolesOn(user, instance).includes(role)) this.assignments.push({ user, role, instance });
  }

  /** Who may review a request, as Permit's elements decide it. */
  reviews(user: string, request: FakeRequest): boolean {
    const roles = this.rolesOn(user, request.access_request_details.resource_instance);
    const needed = request.kind === "access" ? this.levelOneRoles : [reviewerRole];
    return roles.some((role) => needed.includes(role));
  }

  canSee(user: FakeUser, request: FakeRequest): boolean {
    return request.requesting_user_id === user.id || this.reviews(user.key, request);
  }

  createRequest(kind: FakeRequest["kind"], user: FakeUser, body: unknown): FakeRequest {
    const { access_request_details: details, reason } = body as {
      access_request_details: FakeRequest["access_request_details"];
      reason: string;
    };
    const at = this.now();
    const request: FakeRequest = {
      id: randomUUID(),
      kind,
      requesting_user_id: user.id,
      access_request_details: details,
      reason,
      status: "pending",
      reviewer_user_id: null,
      reviewer_comment: null,
      created_at: at,
      updated_at: at,
      reviewed_at: null,
    };
    this.requests.push(request);
    return request;
  }

  /** Approving grants: the requested role for an access request, `_Approved_` for an operation. */
  decide(request: FakeRequest, reviewer: FakeUser, decision: string, comment?: string): void {
    request.status = decision === "approve" ? "approved" : "denied";
    request.reviewer_user_id = reviewer.id;
    request.reviewer_comment = comment ?? null;
    request.reviewed_at = request.updated_at = this.now();
    if (request.status !== "approved") return;
    const requester = this.user(request.requesting_user_id);
    const { resource_instance: instance, role } = request.access_request_details;
    if (requester)
      this.assign(requester.key, request.kind === "access" ? (role ?? "") : approvedRole, instance);
  }

  /** A request as Permit answers it; listings add the requester's details and the keys. */
  view(request: FakeRequest, isListing: boolean): Record<string, unknown> {
    const { kind: _kind, ...fields } = request;
    const base = { ...fields, org_id: "org-id", project_id: "proj-id", env_id: "env-id" };
    if (this.isNamingByIds) {
      const { resource_instance: instance, role } = request.access_request_details;
      base.access_request_details = {
        ...request.access_request_details,
        resource_instance: this.idOf("instance", instance),
      };
      if (role) base.access_request_details.role = this.idOf("role", role);
    }
    if (request.kind === "operation") Object.assign(base, { type: "operation_approval" });
    if (!isListing || this.isNamingByIds) return base;
    const requester = this.user(request.requesting_user_id);
    return {
      ...base,
      requesting_user_email: requester?.email,
      resource_key: this.resource,
      resource_instance_key: request.access_request_details.resource_instance,
    };
  }
}
