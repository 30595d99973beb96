import type { RequestBase } from "./types.js";
import { BackendError } from "./types.js";

/**
 * The request rules every backend enforces, worded once: the local and the Permit backend check them in
 * the same order and refuse with the same messages, so a model (and the shared tool suite) cannot tell
 * which backend it talks to.
 */

/** How messages name one kind of request, and the tool that shows valid ids. */
export interface RequestNames {
  noun: string;
  listTool: string;
}

export const accessRequestNames: RequestNames = {
  noun: "access request",
  listTool: "list_access_requests",
};

export const operationApprovalNames: RequestNames = {
  noun: "operation approval",
  listTool: "list_operation_approvals",
};

/** Lower case, single spaces, no spaces around ":" — so "Order_Dish: Truffle  Pizza" matches "order_dish:truffle pizza". */
export function operationKey(operation: string): string {
  return operation
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/\s*:\s*/g, ":");
}

export function unknownInstance(resourceType: string, key: string): BackendError {
  return new BackendError(
    "not_found",
    `no ${resourceType} instance "${key}"; call list_resource_instances to see valid keys`,
  );
}

export function unknownRole(resourceType: string, role: string, roles: string[]): BackendError {
  return new BackendError(
    "invalid",
    `unknown role "${role}" for ${resourceType}; roles: ${roles.join(", ")}`,
  );
}

/**
 * A known role that an access request may not ask for: a role that reviews requests (asking for one would
 * let a requester decide their own family's requests), or one left out of the requestable roles.
 */
export function notRequestable(resourceType: string, role: string, requestable: string[]): BackendError {
  const choices = requestable.length > 0 ? requestable.join(", ") : "none";
  return new BackendError(
    "forbidden",
    `role "${role}" on ${resourceType} cannot be asked for: it is not a role that reviewers grant; roles that can be asked for: ${choices}`,
  );
}

/**
 * The roles an access request may ask for: those of `configured` when given, else every role but
 * Permit's own element roles (`_Reviewer_`, `_Approved_`: keys between underscores); never a reviewer role.
 */
export function requestableRoles(
  roles: readonly string[],
  reviewerRoles: readonly string[],
  configured?: readonly string[],
): string[] {
  const isOffered = (role: string) => (configured ? configured.includes(role) : !/^_.*_$/.test(role));
  return roles.filter((role) => isOffered(role) && !reviewerRoles.includes(role));
}

export function unknownRequest(names: RequestNames, id: string): BackendError {
  return new BackendError("not_found", `no ${names.noun} with id "${id}"; call ${names.listTool} to see ids`);
}

/**
 * For a backend that cannot tell an id that exists nowhere from a request the actor may not see: the answer
 * to a user who reviews nothing, whichever the id, so it says nothing about whether the id exists.
 */
export function reviewsNothing(names: RequestNames, actor: string, verb: "approve" | "deny"): BackendError {
  return new BackendError(
    "forbidden",
    `only reviewers may ${verb} ${names.noun}s, and ${actor} reviews nothing here`,
  );
}

/** As reviewsNothing, for a cancel of an id that is not among the actor's own requests. */
export function notOwnRequest(names: RequestNames, actor: string, id: string): BackendError {
  return new BackendError(
    "forbidden",
    `${actor} has no ${names.noun} with id "${id}", and only its requester may cancel one; call ${names.listTool} to see ids`,
  );
}

export function alreadyHoldsRole(actor: string, role: string, resourceInstance: string): BackendError {
  return new BackendError(
    "conflict",
    `${actor} already holds role ${role} on ${resourceInstance}; there is nothing to ask for`,
  );
}

/** `asked` is how the message names what was asked for: a role, or an operation in quotes. */
export function alreadyPending(
  names: RequestNames,
  actor: string,
  pending: { id: string; resourceInstance: string },
  asked: string,
): BackendError {
  return new BackendError(
    "conflict",
    `${actor} already has pending ${names.noun} ${pending.id} for ${asked} on ${pending.resourceInstance}; wait for a reviewer or cancel it`,
  );
}

/** Reviewers of the instance decide, never on their own request, and only while it is pending. */
export function assertMayDecide(
  names: RequestNames,
  request: RequestBase,
  actor: string,
  verb: "approve" | "deny",
  isReviewer: boolean,
): void {
  if (!isReviewer)
    throw new BackendError(
      "forbidden",
      `only reviewers of ${request.resourceInstance} may ${verb} its ${names.noun}s, and ${actor} is not one`,
    );
  if (request.requester === actor)
    throw new BackendError(
      "forbidden",
      `${actor} cannot ${verb} their own ${names.noun}; another reviewer must`,
    );
  assertPending(names, request);
}

/** Only the requester cancels, and only while it is pending. */
export function assertMayCancel(names: RequestNames, request: RequestBase, actor: string): void {
  if (request.requester !== actor)
    throw new BackendError(
      "forbidden",
      `only the requester may cancel ${names.noun} ${request.id}, and ${actor} is not`,
    );
  assertPending(names, request);
}

/** A request is decided once: anything but pending is a conflict that says who decided it, and when. */
export function assertPending(names: RequestNames, request: RequestBase): void {
  if (request.status === "pending") return;
  const by = request.status === "canceled" ? "by its requester" : `by ${request.reviewer ?? "a reviewer"}`;
  throw new BackendError(
    "conflict",
    `${names.noun} ${request.id} was already ${request.status} ${by} at ${request.decidedAt ?? "an earlier time"}; a request is decided only once`,
  );
}
