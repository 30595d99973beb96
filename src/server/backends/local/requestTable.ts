import type Database from "better-sqlite3";
import { assertMayCancel, assertMayDecide, unknownRequest, type RequestNames } from "../rules.js";
import type { Page, RequestStatus } from "../types.js";
import type { Db } from "./database.js";
import { toRequestBase } from "./rows.js";

/** A row of access_requests or operation_approvals; the columns one kind lacks are undefined. */
export interface RequestRow {
  id: string;
  requester: string;
  resource_type: string;
  instance: string;
  role?: string;
  operation?: string;
  reason: string;
  status: RequestStatus;
  reviewer: string | null;
  reviewer_comment: string | null;
  created_at: string;
  decided_at: string | null;
  used_at?: string | null;
}

export interface RequestKind extends RequestNames {
  table: "access_requests" | "operation_approvals";
}

export interface ListFilter {
  page: number;
  perPage: number;
  status?: RequestStatus;
  role?: string;
  resourceInstance?: string;
}

export interface TableContext {
  db: Db;
  resourceType: string;
  now: () => Date;
  isReviewer: (user: string, instance: string) => boolean;
}

// Who sees a row: its requester, and users holding a reviewer role on its instance.
const visibleTo = `(t.requester = @actor OR EXISTS (
  SELECT 1 FROM role_assignments ra JOIN roles r ON r.resource_type = ra.resource_type AND r.role = ra.role
  WHERE r.is_reviewer = 1 AND ra.user = @actor AND ra.resource_type = t.resource_type AND ra.instance = t.instance))`;

/**
 * The lifecycle both kinds of request share: pending → approved | denied | canceled, once. Every decision
 * runs in an IMMEDIATE transaction that re-reads the row, so two reviewers (even in two processes) deciding
 * at once leave exactly one decision and a "conflict" for the other.
 */
export class RequestTable {
  private readonly getStatement: Database.Statement<[string], RequestRow>;
  private readonly decideStatement: Database.Statement<unknown[]>;
  private readonly listStatements = new Map<string, Database.Statement<Record<string, unknown>>>();

  constructor(
    private readonly ctx: TableContext,
    private readonly kind: RequestKind,
  ) {
    this.getStatement = ctx.db.prepare(`SELECT * FROM ${kind.table} WHERE id = ?`);
    this.decideStatement = ctx.db.prepare(
      `UPDATE ${kind.table} SET status = ?, reviewer = ?, reviewer_comment = ?, decided_at = ?
       WHERE id = ? AND status = 'pending'`,
    );
  }

  /** The row, or not_found with a hint where to find valid ids. */
  get(id: string): RequestRow {
    const row = this.getStatement.get(id);
    if (!row || row.resource_type !== this.ctx.resourceType) throw unknownRequest(this.kind, id);
    return row;
  }

  /**
   * Decides a pending request as `actor`. `onApprove` runs inside the same transaction (granting the role),
   * so an approval and its effect are stored together or not at all.
   */
  decide(
    actor: string,
    id: string,
    status: "approved" | "denied",
    comment: string | undefined,
    onApprove?: (row: RequestRow) => void,
  ): RequestRow {
    return this.ctx.db
      .transaction(() => {
        const row = this.get(id);
        const verb = status === "approved" ? "approve" : "deny";
        const isReviewer = this.ctx.isReviewer(actor, row.instance);
        assertMayDecide(this.kind, toRequestBase(row), actor, verb, isReviewer);
        this.decideStatement.run(status, actor, comment ?? null, this.ctx.now().toISOString(), id);
        if (status === "approved") onApprove?.(row);
        return this.get(id);
      })
      .immediate();
  }

  cancel(actor: string, id: string): RequestRow {
    return this.ctx.db
      .transaction(() => {
        const row = this.get(id);
        assertMayCancel(this.kind, toRequestBase(row), actor);
        this.decideStatement.run("canceled", null, null, this.ctx.now().toISOString(), id);
        return this.get(id);
      })
      .immediate();
  }

  /** Newest first; reviewers see rows about what they review, everyone else only their own. */
  list(actor: string, filter: ListFilter): Page<RequestRow> {
    const conditions = ["t.resource_type = @resourceType", visibleTo];
    if (filter.status) conditions.push("t.status = @status");
    if (filter.role) conditions.push("t.role = @role");
    if (filter.resourceInstance) conditions.push("t.instance = @instance");
    const where = conditions.join(" AND ");
    const params = Object.fromEntries(
      Object.entries({
        actor,
        resourceType: this.ctx.resourceType,
        status: filter.status,
        role: filter.role,
        instance: filter.resourceInstance,
      }).filter(([, value]) => value !== undefined),
    );
    const counted = this.statement(`SELECT count(*) AS n FROM ${this.kind.table} t WHERE ${where}`).get(
      params,
    );
    const total = (counted as { n: number }).n;
    const items = this.statement(
      `SELECT t.* FROM ${this.kind.table} t WHERE ${where}
       ORDER BY t.created_at DESC, t.rowid DESC LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit: filter.perPage, offset: (filter.page - 1) * filter.perPage }) as RequestRow[];
    return { items, page: filter.page, perPage: filter.perPage, total };
  }

  private statement(sql: string): Database.Statement<Record<string, unknown>> {
    let statement = this.listStatements.get(sql);
    if (!statement) {
      statement = this.ctx.db.prepare(sql);
      this.listStatements.set(sql, statement);
    }
    return statement;
  }
}
