import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { useWal } from "../../../sqliteWal.js";
import { databaseFileName } from "./dataFolder.js";

export type Db = Database.Database;

export { databaseFileName } from "./dataFolder.js";

// Resource roles follow Permit's ReBAC shape: a role belongs to a resource type and is assigned to a
// user on one instance of it. Reviewer roles mark who may decide requests about an instance.
const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resource_types (key TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resource_actions (
  resource_type TEXT NOT NULL REFERENCES resource_types(key), action TEXT NOT NULL,
  PRIMARY KEY (resource_type, action));
CREATE TABLE IF NOT EXISTS roles (
  resource_type TEXT NOT NULL REFERENCES resource_types(key), role TEXT NOT NULL,
  is_reviewer INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (resource_type, role));
CREATE TABLE IF NOT EXISTS role_permissions (
  resource_type TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,
  PRIMARY KEY (resource_type, role, action),
  FOREIGN KEY (resource_type, role) REFERENCES roles(resource_type, role));
CREATE TABLE IF NOT EXISTS instances (
  resource_type TEXT NOT NULL REFERENCES resource_types(key), key TEXT NOT NULL,
  attributes TEXT NOT NULL, PRIMARY KEY (resource_type, key));
CREATE TABLE IF NOT EXISTS users (key TEXT PRIMARY KEY, attributes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS role_assignments (
  user TEXT NOT NULL REFERENCES users(key), resource_type TEXT NOT NULL, instance TEXT NOT NULL,
  role TEXT NOT NULL, PRIMARY KEY (user, resource_type, instance, role),
  FOREIGN KEY (resource_type, instance) REFERENCES instances(resource_type, key),
  FOREIGN KEY (resource_type, role) REFERENCES roles(resource_type, role));
CREATE INDEX IF NOT EXISTS role_assignments_by_instance ON role_assignments (resource_type, instance, role);
CREATE TABLE IF NOT EXISTS access_requests (
  id TEXT PRIMARY KEY, requester TEXT NOT NULL, resource_type TEXT NOT NULL, instance TEXT NOT NULL,
  role TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL, reviewer TEXT, reviewer_comment TEXT,
  created_at TEXT NOT NULL, decided_at TEXT);
CREATE INDEX IF NOT EXISTS access_requests_by_instance ON access_requests (resource_type, instance, status);
CREATE INDEX IF NOT EXISTS access_requests_by_requester ON access_requests (requester, status);
CREATE TABLE IF NOT EXISTS operation_approvals (
  id TEXT PRIMARY KEY, requester TEXT NOT NULL, resource_type TEXT NOT NULL, instance TEXT NOT NULL,
  operation TEXT NOT NULL, operation_key TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL,
  reviewer TEXT, reviewer_comment TEXT, created_at TEXT NOT NULL, decided_at TEXT, used_at TEXT);
CREATE INDEX IF NOT EXISTS operation_approvals_by_instance ON operation_approvals (resource_type, instance, status);
CREATE INDEX IF NOT EXISTS operation_approvals_by_requester ON operation_approvals (requester, status);
`;

/**
 * Opens (creating when missing) the local backend's database in `dataDir`. Several processes may open one
 * folder at once: WAL lets readers run beside a writer, busy_timeout makes a writer wait for another instead
 * of failing, and the schema is created inside an IMMEDIATE transaction so two first starts do not race.
 */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, databaseFileName));
  db.pragma("busy_timeout = 5000");
  useWal(db);
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.transaction(() => db.exec(schema)).immediate();
  return db;
}

/** The meta entry holding the seed's requestable roles (JSON); a folder seeded without it uses the default. */
export const requestableRolesMeta = "requestable_roles";

export function readMeta(db: Db, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

export function writeMeta(db: Db, key: string, value: string): void {
  db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(key, value);
}
