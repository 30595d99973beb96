/**
 * The seam between the Access Request server's tools and where decisions and requests live. The tools
 * know this interface only; the local backend (SQLite) and the Permit.io backend implement it.
 *
 * Every method takes the acting user first: the identity bound to the session (ASKFIRST_USER for stdio,
 * the bearer token's user for HTTP), never one claimed in tool arguments. Authorization ("who may") is
 * enforced inside the backend, so every backend enforces the same rules the same way.
 */

export type RequestStatus = "pending" | "approved" | "denied" | "canceled";
export const requestStatuses: readonly RequestStatus[] = ["pending", "approved", "denied", "canceled"];

export interface ResourceInstance {
  key: string;
  resourceType: string;
  /** Free-form attributes; the family demo keeps `name` and `menu: {name, price}[]` here. */
  attributes: Record<string, unknown>;
}

/** What both kinds of request hold: who asked, about which instance, why, and how it was decided. */
export interface RequestBase {
  id: string;
  requester: string;
  resourceType: string;
  resourceInstance: string;
  reason: string;
  status: RequestStatus;
  reviewer: string | null;
  reviewerComment: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export interface AccessRequest extends RequestBase {
  role: string;
}

export interface OperationApproval extends RequestBase {
  /** What the approval is for, e.g. "order_dish: Truffle Pizza"; free text chosen by the requester. */
  operation: string;
  /** Set when an approved operation was used; an approval grants a single use. */
  usedAt: string | null;
}

export interface PageRequest {
  /** 1-based. */
  page: number;
  perPage: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

export interface RequestFilter extends PageRequest {
  status?: RequestStatus;
  role?: string;
  resourceInstance?: string;
}

export interface Backend {
  /** The resource type the server serves, e.g. "restaurants". */
  readonly resourceType: string;

  listResourceInstances(actor: string, page: PageRequest): Promise<Page<ResourceInstance>>;
  /** Throws BackendError("not_found") for an unknown key. */
  getResourceInstance(actor: string, key: string): Promise<ResourceInstance>;
  /** May `user` do `action` on the instance. Unknown users, actions or instances are simply not allowed. */
  check(user: string, action: string, resourceInstance: string): Promise<boolean>;
  /** May `user` decide requests about this instance. */
  isReviewer(user: string, resourceInstance: string): Promise<boolean>;

  createAccessRequest(
    actor: string,
    input: { resourceInstance: string; role: string; reason: string },
  ): Promise<AccessRequest>;
  /** Reviewers see requests for the instances they review; everyone else sees only their own. */
  listAccessRequests(actor: string, filter: RequestFilter): Promise<Page<AccessRequest>>;
  /** Reviewers of the instance only; approval grants the role. Deciding twice is a "conflict". */
  approveAccessRequest(actor: string, id: string, reviewerComment?: string): Promise<AccessRequest>;
  denyAccessRequest(actor: string, id: string, reviewerComment?: string): Promise<AccessRequest>;
  /** The requester only, while pending. */
  cancelAccessRequest(actor: string, id: string): Promise<AccessRequest>;

  createOperationApproval(
    actor: string,
    input: { resourceInstance: string; operation: string; reason: string },
  ): Promise<OperationApproval>;
  listOperationApprovals(
    actor: string,
    filter: Omit<RequestFilter, "role">,
  ): Promise<Page<OperationApproval>>;
  approveOperationApproval(actor: string, id: string, reviewerComment?: string): Promise<OperationApproval>;
  denyOperationApproval(actor: string, id: string, reviewerComment?: string): Promise<OperationApproval>;
  cancelOperationApproval(actor: string, id: string): Promise<OperationApproval>;
  /**
   * Uses up one approved, unused approval of `actor` on the instance (for `operation` when given).
   * Returns the approval it used, or null when there is none. Two concurrent callers never use the same one
   * with the local backend; the Permit backend narrows but cannot close that window across processes
   * (see UseRecorder in permit/usedApprovals.ts).
   */
  consumeOperationApproval(
    actor: string,
    resourceInstance: string,
    operation?: string,
  ): Promise<OperationApproval | null>;

  close(): Promise<void>;
}

export type BackendErrorCode =
  "not_found" | "forbidden" | "conflict" | "invalid" | "unavailable" | "upstream";

/**
 * An expected failure a tool reports to the model as an `isError` result. The message says what was wrong
 * and what is accepted, in one line, and never contains a secret.
 */
export class BackendError extends Error {
  readonly code: BackendErrorCode;

  constructor(code: BackendErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BackendError";
    this.code = code;
  }
}
