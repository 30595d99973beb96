import type { AccessRequest, OperationApproval, Page, RequestFilter, RequestStatus } from "../types.js";
import { BackendError } from "../types.js";
import {
  assertMayCancel,
  assertMayDecide,
  assertPending,
  notOwnRequest,
  reviewsNothing,
  unknownRequest,
  type RequestNames,
} from "../rules.js";
import { callPermit, rethrown, type Directory } from "./directory.js";
import { PermitCallError, isStatus } from "./failure.js";
import type { Acting, Decision, PermitRequest, RequestsApi } from "./requestsApi.js";

type AnyRequest = AccessRequest | OperationApproval;

/** What a request is looked up for; it decides how an id the actor cannot see is refused. */
type Purpose = Decision | "cancel" | "read";

/** One kind of request as the lifecycle sees it: its Permit API, who to act as, and its model shape. */
export interface RequestKind<T extends AnyRequest> extends RequestNames {
  api: RequestsApi;
  acting(actor: string): Promise<Acting>;
  toModel(raw: PermitRequest): Promise<T>;
}

/**
 * The rules both kinds share, enforced here before anything is sent, and enforced again by Permit:
 * reviewers of the instance decide (never their own request), the requester cancels, and a request is
 * decided once. A write that failed in a way that may have applied is settled by reading the request back,
 * so success is reported only when Permit shows it.
 */
export class Lifecycle {
  constructor(private readonly directory: Directory) {}

  /**
   * The request as the acting user sees it. Permit shows a request only to its requester and the reviewers
   * of its instance, and nobody else is asked (reading as each reviewer in turn cost a login and a read
   * per reviewer, on behalf of users who may review nothing). So "absent" and "someone else's" get the
   * same answer: forbidden to a user who reviews nothing or who cancels, else not_found. At most the
   * read, and for a decision one listing of the actor's roles.
   */
  async get<T extends AnyRequest>(
    kind: RequestKind<T>,
    as: Acting,
    id: string,
    purpose: Purpose,
  ): Promise<T> {
    const seen = await this.getAs(kind, as, id);
    if (seen) return seen;
    if (purpose === "cancel") throw notOwnRequest(kind, as.user, id);
    if (purpose !== "read" && (await this.directory.reviewedBy(as.user)).size === 0)
      throw reviewsNothing(kind, as.user, purpose);
    throw unknownRequest(kind, id);
  }

  private async getAs<T extends AnyRequest>(
    kind: RequestKind<T>,
    as: Acting,
    id: string,
  ): Promise<T | undefined> {
    try {
      return await kind.toModel(await kind.api.get(as, id));
    } catch (error) {
      if (isStatus(error, 404, 403)) return undefined;
      throw rethrown(error);
    }
  }

  async decide<T extends AnyRequest>(
    kind: RequestKind<T>,
    actor: string,
    id: string,
    decision: Decision,
    comment?: string,
  ): Promise<T> {
    const as = await kind.acting(actor);
    const current = await this.get(kind, as, id, decision);
    const isReviewer = await this.directory.isReviewer(actor, current.resourceInstance);
    assertMayDecide(kind, current, actor, decision, isReviewer);
    const wanted: RequestStatus = decision === "approve" ? "approved" : "denied";
    let raw: PermitRequest;
    try {
      raw = await kind.api.decide(as, id, decision, comment);
    } catch (error) {
      return this.settle(kind, as, id, { status: wanted, by: actor }, error);
    }
    return this.confirmed(kind, await kind.toModel(raw), wanted);
  }

  async cancel<T extends AnyRequest>(kind: RequestKind<T>, actor: string, id: string): Promise<T> {
    const as = await kind.acting(actor);
    const current = await this.get(kind, as, id, "cancel");
    assertMayCancel(kind, current, actor);
    let raw: PermitRequest;
    try {
      raw = await kind.api.cancel(as, id);
    } catch (error) {
      return this.settle(kind, as, id, { status: "canceled", by: null }, error);
    }
    return this.confirmed(kind, await kind.toModel(raw), "canceled");
  }

  /** Reviewers see requests about what they review, everyone else their own; newest first, one page. */
  async list<T extends AnyRequest>(
    kind: RequestKind<T>,
    actor: string,
    filter: RequestFilter,
  ): Promise<Page<T>> {
    const as = await kind.acting(actor);
    const [raws, reviewed] = await Promise.all([
      callPermit(kind.api.list(as, filter)),
      this.directory.reviewedBy(actor),
    ]);
    const all = await Promise.all(raws.map((raw) => kind.toModel(raw)));
    const visible = all.filter(
      (item) =>
        (item.requester === actor || reviewed.has(item.resourceInstance)) &&
        (filter.status === undefined || item.status === filter.status) &&
        (filter.resourceInstance === undefined || item.resourceInstance === filter.resourceInstance) &&
        (filter.role === undefined || ("role" in item && item.role === filter.role)),
    );
    visible.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const start = (filter.page - 1) * filter.perPage;
    const items = visible.slice(start, start + filter.perPage);
    return { items, page: filter.page, perPage: filter.perPage, total: visible.length };
  }

  /** After a failed write: Permit's own state decides between success, conflict and the failure itself. */
  private async settle<T extends AnyRequest>(
    kind: RequestKind<T>,
    as: Acting,
    id: string,
    wanted: { status: RequestStatus; by: string | null },
    failure: unknown,
  ): Promise<T> {
    if (!(failure instanceof PermitCallError)) throw failure;
    const after = await this.get(kind, as, id, "read").catch(() => undefined);
    if (after === undefined) throw rethrown(failure);
    const isOurs = wanted.by === null || after.reviewer === wanted.by;
    if (after.status === wanted.status && isOurs && failure.failure.mayHaveApplied) return after;
    if (after.status !== "pending") assertPending(kind, after);
    throw rethrown(failure);
  }

  private confirmed<T extends AnyRequest>(kind: RequestKind<T>, item: T, wanted: RequestStatus): T {
    if (item.status === wanted) return item;
    throw new BackendError(
      "upstream",
      `Permit answered the ${kind.noun} ${item.id} as ${item.status}, not ${wanted}; nothing was changed here`,
    );
  }
}
