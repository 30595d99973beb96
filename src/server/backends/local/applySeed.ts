import type { Seed } from "../../seed.js";
import type { Db } from "./database.js";
import { requestableRoles } from "../rules.js";
import { readMeta, requestableRolesMeta, writeMeta } from "./database.js";

/**
 * Writes the seed into an empty data folder, once. Runs inside an IMMEDIATE transaction, so when several
 * server processes start on one folder at the same moment, the first seeds and the others see it seeded.
 * A folder seeded before keeps its data (requests, granted roles) untouched.
 * Returns whether this call did the seeding.
 */
export function applySeedOnce(db: Db, seed: Seed): boolean {
  return db
    .transaction(() => {
      if (readMeta(db, "resource_type") !== undefined) return false;
      insertSeed(db, seed);
      writeMeta(db, "resource_type", seed.resource.key);
      return true;
    })
    .immediate();
}

function insertSeed(db: Db, seed: Seed): void {
  const type = seed.resource.key;
  db.prepare("INSERT INTO resource_types (key, name) VALUES (?, ?)").run(type, seed.resource.name ?? type);
  const addAction = db.prepare("INSERT INTO resource_actions (resource_type, action) VALUES (?, ?)");
  for (const action of seed.resource.actions) addAction.run(type, action);
  const addRole = db.prepare("INSERT INTO roles (resource_type, role, is_reviewer) VALUES (?, ?, ?)");
  const addPermission = db.prepare(
    "INSERT INTO role_permissions (resource_type, role, action) VALUES (?, ?, ?)",
  );
  for (const [role, actions] of Object.entries(seed.resource.roles)) {
    addRole.run(type, role, seed.resource.reviewerRoles.includes(role) ? 1 : 0);
    for (const action of actions) addPermission.run(type, role, action);
  }
  const addInstance = db.prepare("INSERT INTO instances (resource_type, key, attributes) VALUES (?, ?, ?)");
  for (const instance of seed.instances)
    addInstance.run(type, instance.key, JSON.stringify(instance.attributes));
  const addUser = db.prepare("INSERT INTO users (key, attributes) VALUES (?, ?)");
  for (const user of seed.users) addUser.run(user.key, JSON.stringify(user.attributes));
  const assign = db.prepare(
    "INSERT OR IGNORE INTO role_assignments (user, resource_type, instance, role) VALUES (?, ?, ?, ?)",
  );
  for (const { user, role, instance } of seed.roleAssignments) assign.run(user, type, instance, role);
  const { roles, reviewerRoles, requestableRoles: configured } = seed.resource;
  const requestable = requestableRoles(Object.keys(roles), reviewerRoles, configured);
  writeMeta(db, requestableRolesMeta, JSON.stringify(requestable));
}
