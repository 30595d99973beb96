import type Database from "better-sqlite3";
import type { Db } from "./database.js";

type Row<T> = Database.Statement<unknown[], T>;

export interface Statements {
  check: Row<{ ok: 1 }>;
  isReviewer: Row<{ ok: 1 }>;
  hasRole: Row<{ ok: 1 }>;
  getInstance: Row<{ key: string; attributes: string }>;
  listInstances: Row<{ key: string; attributes: string }>;
  countInstances: Row<{ n: number }>;
  getUser: Row<{ key: string }>;
  getRole: Row<{ role: string }>;
  listRoles: Row<{ role: string; isReviewer: 0 | 1 }>;
  getMeta: Row<{ value: string }>;
  assignRole: Database.Statement<unknown[]>;
  pendingAccessRequest: Row<{ id: string }>;
  insertAccessRequest: Database.Statement<Record<string, unknown>[]>;
  pendingOperationApproval: Row<{ id: string }>;
  insertOperationApproval: Database.Statement<Record<string, unknown>[]>;
  usableApproval: Row<{ id: string }>;
  usableApprovalFor: Row<{ id: string }>;
  useApproval: Database.Statement<unknown[]>;
}

/** Every query the backend runs more than once, prepared once per connection. */
export function prepareStatements(db: Db): Statements {
  const prepare = <T>(sql: string): Row<T> => db.prepare<unknown[], T>(sql);
  return {
    // One indexed lookup: the role assignment primary key leads with (user, resource_type, instance).
    check: prepare(`SELECT 1 AS ok FROM role_assignments ra
      JOIN role_permissions rp ON rp.resource_type = ra.resource_type AND rp.role = ra.role
      WHERE ra.user = ? AND ra.resource_type = ? AND ra.instance = ? AND rp.action = ? LIMIT 1`),
    isReviewer: prepare(`SELECT 1 AS ok FROM role_assignments ra
      JOIN roles r ON r.resource_type = ra.resource_type AND r.role = ra.role
      WHERE ra.user = ? AND ra.resource_type = ? AND ra.instance = ? AND r.is_reviewer = 1 LIMIT 1`),
    hasRole: prepare(
      "SELECT 1 AS ok FROM role_assignments WHERE user = ? AND resource_type = ? AND instance = ? AND role = ?",
    ),
    getInstance: prepare("SELECT key, attributes FROM instances WHERE resource_type = ? AND key = ?"),
    listInstances: prepare(
      "SELECT key, attributes FROM instances WHERE resource_type = ? ORDER BY rowid LIMIT ? OFFSET ?",
    ),
    countInstances: prepare("SELECT count(*) AS n FROM instances WHERE resource_type = ?"),
    getUser: prepare("SELECT key FROM users WHERE key = ?"),
    getRole: prepare("SELECT role FROM roles WHERE resource_type = ? AND role = ?"),
    listRoles: prepare(
      "SELECT role, is_reviewer AS isReviewer FROM roles WHERE resource_type = ? ORDER BY rowid",
    ),
    getMeta: prepare("SELECT value FROM meta WHERE key = ?"),
    assignRole: db.prepare(
      "INSERT OR IGNORE INTO role_assignments (user, resource_type, instance, role) VALUES (?, ?, ?, ?)",
    ),
    pendingAccessRequest: prepare(`SELECT id FROM access_requests
      WHERE requester = ? AND resource_type = ? AND instance = ? AND role = ? AND status = 'pending'`),
    insertAccessRequest: db.prepare(`INSERT INTO access_requests
      (id, requester, resource_type, instance, role, reason, status, created_at)
      VALUES (@id, @actor, @type, @resourceInstance, @role, @reason, 'pending', @at)`),
    pendingOperationApproval: prepare(`SELECT id FROM operation_approvals
      WHERE requester = ? AND resource_type = ? AND instance = ? AND operation_key = ? AND status = 'pending'`),
    insertOperationApproval: db.prepare(`INSERT INTO operation_approvals
      (id, requester, resource_type, instance, operation, operation_key, reason, status, created_at)
      VALUES (@id, @actor, @type, @resourceInstance, @operation, @key, @reason, 'pending', @at)`),
    usableApproval: prepare(`SELECT id FROM operation_approvals
      WHERE requester = ? AND resource_type = ? AND instance = ? AND status = 'approved' AND used_at IS NULL
      ORDER BY decided_at, rowid LIMIT 1`),
    usableApprovalFor: prepare(`SELECT id FROM operation_approvals
      WHERE requester = ? AND resource_type = ? AND instance = ? AND operation_key = ? AND status = 'approved'
      AND used_at IS NULL ORDER BY decided_at, rowid LIMIT 1`),
    useApproval: db.prepare("UPDATE operation_approvals SET used_at = ? WHERE id = ? AND used_at IS NULL"),
  };
}
