import type { AccessRequest, OperationApproval } from "../types.js";
import type { RequestRow } from "./requestTable.js";

export function toAccessRequest(row: RequestRow): AccessRequest {
  return {
    id: row.id,
    requester: row.requester,
    resourceType: row.resource_type,
    resourceInstance: row.instance,
    role: row.role ?? "",
    reason: row.reason,
    status: row.status,
    reviewer: row.reviewer,
    reviewerComment: row.reviewer_comment,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

export function toOperationApproval(row: RequestRow): OperationApproval {
  return {
    id: row.id,
    requester: row.requester,
    resourceType: row.resource_type,
    resourceInstance: row.instance,
    operation: row.operation ?? "",
    reason: row.reason,
    status: row.status,
    reviewer: row.reviewer,
    reviewerComment: row.reviewer_comment,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    usedAt: row.used_at ?? null,
  };
}
