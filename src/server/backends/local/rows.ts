import type { AccessRequest, OperationApproval, RequestBase } from "../types.js";
import type { RequestRow } from "./requestTable.js";

/** The columns both tables share, under the names the Backend interface gives them. */
export function toRequestBase(row: RequestRow): RequestBase {
  return {
    id: row.id,
    requester: row.requester,
    resourceType: row.resource_type,
    resourceInstance: row.instance,
    reason: row.reason,
    status: row.status,
    reviewer: row.reviewer,
    reviewerComment: row.reviewer_comment,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

export function toAccessRequest(row: RequestRow): AccessRequest {
  return { ...toRequestBase(row), role: row.role ?? "" };
}

export function toOperationApproval(row: RequestRow): OperationApproval {
  return { ...toRequestBase(row), operation: row.operation ?? "", usedAt: row.used_at ?? null };
}
