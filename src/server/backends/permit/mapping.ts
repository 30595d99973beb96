import type { AccessRequest, OperationApproval, RequestBase, RequestStatus } from "../types.js";
import { PermitCallError } from "./failure.js";
import type { PermitRequest } from "./requestsApi.js";

/**
 * Permit's operation approvals have no field for what the operation is, so it travels in the reason: a
 * first line `operation: "<JSON string>"`, then the requester's reason. A reviewer reading it in Permit's
 * dashboard sees both; JSON keeps any operation text (quotes, newlines) exact on the way back.
 */
export function encodeOperationReason(operation: string, reason: string): string {
  return `operation: ${JSON.stringify(operation)}\n${reason}`;
}

export function decodeOperationReason(text: string): { operation: string; reason: string } {
  const match = /^operation: ("(?:[^"\\\n]|\\.)*")\n/.exec(text);
  if (!match?.[1]) return { operation: "", reason: text };
  try {
    return { operation: JSON.parse(match[1]) as string, reason: text.slice(match[0].length) };
  } catch {
    return { operation: "", reason: text };
  }
}

// Permit's documentation shows both the adjectives and the verbs ("deny", "cancel") as statuses.
const statuses: Record<string, RequestStatus> = {
  pending: "pending",
  approved: "approved",
  approve: "approved",
  denied: "denied",
  deny: "denied",
  canceled: "canceled",
  cancelled: "canceled",
  cancel: "canceled",
};

export function statusOf(raw: PermitRequest, operation: string): RequestStatus {
  const status = statuses[raw.status ?? "pending"];
  if (status) return status;
  throw new PermitCallError({
    operation,
    detail: `Permit answered an unknown status "${raw.status}"`,
    isTransient: false,
    mayHaveApplied: true,
  });
}

/** The instance key of a request: Permit may name it `resource:key`, or give the key separately. */
export function instanceOf(raw: PermitRequest, resourceType: string): string {
  const named = raw.resource_instance_key ?? raw.access_request_details?.resource_instance ?? "";
  return named.startsWith(`${resourceType}:`) ? named.slice(resourceType.length + 1) : named;
}

/** What mapping needs beyond the raw request: user keys for Permit's user ids. */
export interface People {
  requester: string;
  reviewer: string | null;
}

// The reason is left out: an operation approval's reason has its operation to decode first.
function commonOf(raw: PermitRequest, people: People, resourceType: string): Omit<RequestBase, "reason"> {
  const status = statusOf(raw, "read request");
  return {
    id: raw.id,
    requester: people.requester,
    resourceType,
    resourceInstance: instanceOf(raw, resourceType),
    status,
    reviewer: status === "approved" || status === "denied" ? people.reviewer : null,
    reviewerComment: raw.reviewer_comment ?? null,
    createdAt: raw.created_at,
    decidedAt: status === "pending" ? null : (raw.reviewed_at ?? raw.updated_at ?? null),
  };
}

export function toAccessRequest(raw: PermitRequest, people: People, resourceType: string): AccessRequest {
  return {
    ...commonOf(raw, people, resourceType),
    role: raw.access_request_details?.role ?? "",
    reason: raw.reason ?? "",
  };
}

export function toOperationApproval(
  raw: PermitRequest,
  people: People,
  resourceType: string,
  usedAt: string | null,
): OperationApproval {
  const { operation, reason } = decodeOperationReason(raw.reason ?? "");
  return { ...commonOf(raw, people, resourceType), operation, reason, usedAt };
}
