import { z } from "zod";
import type { AccessRequest, OperationApproval } from "../backends/types.js";
import { requestStatuses } from "../backends/types.js";

const decision = {
  status: z.enum(requestStatuses),
  reviewer: z.string().nullable(),
  reviewerComment: z.string().nullable(),
  createdAt: z.string(),
  decidedAt: z.string().nullable(),
};

/** How the tools show one kind of request: its noun, its output shape, and one line a model can read. */
export interface RequestView<T> {
  noun: string;
  shape: z.ZodObject;
  describe(item: T): string;
}

const subject = {
  id: z.string(),
  requester: z.string(),
  resourceType: z.string(),
  resourceInstance: z.string(),
};

export const accessRequestShape = z.object({
  ...subject,
  role: z.string(),
  reason: z.string(),
  ...decision,
});

export const operationApprovalShape = z.object({
  ...subject,
  operation: z.string(),
  reason: z.string(),
  ...decision,
  usedAt: z.string().nullable(),
});

function decisionText(request: AccessRequest | OperationApproval): string {
  if (request.status === "pending") return "pending";
  if (request.status === "canceled") return "canceled by the requester";
  const comment = request.reviewerComment ? ` ("${request.reviewerComment}")` : "";
  return `${request.status} by ${request.reviewer ?? "a reviewer"}${comment}`;
}

/** One line a model can read: id, who asked for what, where, status, reason. */
export function describeAccessRequest(request: AccessRequest): string {
  return `${request.id}: ${request.requester} asks for role ${request.role} on ${request.resourceInstance} — ${decisionText(request)}; reason: "${request.reason}"`;
}

export function describeOperationApproval(approval: OperationApproval): string {
  const used = approval.status === "approved" ? (approval.usedAt ? ", already used" : ", not used yet") : "";
  return `${approval.id}: ${approval.requester} asks to run "${approval.operation}" on ${approval.resourceInstance} — ${decisionText(approval)}${used}; reason: "${approval.reason}"`;
}

export const accessRequests: RequestView<AccessRequest> = {
  noun: "access request",
  shape: accessRequestShape,
  describe: describeAccessRequest,
};

export const operationApprovals: RequestView<OperationApproval> = {
  noun: "operation approval",
  shape: operationApprovalShape,
  describe: describeOperationApproval,
};
