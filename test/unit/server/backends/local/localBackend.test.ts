import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, databaseFileName } from "../../../../../src/server/backends/local/database.js";
import { applySeedOnce } from "../../../../../src/server/backends/local/applySeed.js";
import {
  type LocalBackend,
  openLocalBackend,
} from "../../../../../src/server/backends/local/localBackend.js";
import { operationKey } from "../../../../../src/server/backends/rules.js";
import { demoSeedPath, readSeedFile } from "../../../../../src/server/seed.js";

const seed = readSeedFile(demoSeedPath("family-food"));

describe("local backend", () => {
  let dataDir: string;
  let opened: LocalBackend[] = [];
  const open = (now?: () => Date): LocalBackend => {
    const backend = openLocalBackend({ dataDir, seed, now });
    opened.push(backend);
    return backend;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "askfirst-local-"));
  });
  afterEach(async () => {
    await Promise.all(opened.map((backend) => backend.close()));
    opened = [];
    await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses reviewer roles in a folder seeded before requestable roles were recorded", async () => {
    await open().close();
    const db = new Database(join(dataDir, databaseFileName));
    db.prepare("DELETE FROM meta WHERE key = 'requestable_roles'").run();
    db.close();
    const backend = open();
    await expect(
      backend.createAccessRequest("henry", { resourceInstance: "pizza-palace", role: "parent", reason: "x" }),
    ).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/child-can-order$/) as string,
    });
  });

  it("seeds an empty folder once and keeps later data when opened with the seed again", async () => {
    const first = open();
    const request = await first.createAccessRequest("henry", {
      resourceInstance: "pizza-palace",
      role: "child-can-order",
      reason: "pizza",
    });
    await first.approveAccessRequest("joe", request.id);
    await first.close();
    const db = openDatabase(dataDir);
    expect(applySeedOnce(db, seed)).toBe(false);
    expect(db.prepare("SELECT count(*) AS n FROM instances").get()).toEqual({ n: 4 });
    db.close();
    const second = open();
    expect(await second.check("henry", "read", "pizza-palace")).toBe(true);
    expect((await second.listAccessRequests("henry", { page: 1, perPage: 10 })).items[0]?.status).toBe(
      "approved",
    );
  });

  it("uses WAL and a busy timeout so several processes can share the folder", () => {
    open();
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
    // The timeout belongs to each connection: the one the backend opens waits 5 s for another writer.
    const backendConnection = openDatabase(dataDir);
    expect(backendConnection.pragma("busy_timeout", { simple: true })).toBe(5000);
    backendConnection.close();
  });

  it("refuses an empty folder without a seed, naming how to seed it, and creates nothing there", () => {
    expect(() => openLocalBackend({ dataDir })).toThrow(
      /holds no resources yet; start with --demo family-food/,
    );
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("decides who may do what from role permissions on each instance", async () => {
    const backend = open();
    expect(await backend.check("joe", "delete", "sushi-world")).toBe(true);
    expect(await backend.check("rose", "read", "burger-bonanza")).toBe(true);
    expect(await backend.check("rose", "operate", "burger-bonanza")).toBe(false);
    expect(await backend.check("rose", "read", "pizza-palace")).toBe(false);
    expect(await backend.check("nobody", "read", "pizza-palace")).toBe(false);
    expect(await backend.check("joe", "read", "no-such-place")).toBe(false);
    expect(await backend.isReviewer("jane", "pizza-palace")).toBe(true);
    expect(await backend.isReviewer("rose", "burger-bonanza")).toBe(false);
  });

  it("stamps decisions with the injected clock and keeps the reviewer's comment", async () => {
    const backend = open(() => new Date("2026-01-02T03:04:05.000Z"));
    const request = await backend.createAccessRequest("henry", {
      resourceInstance: "pizza-palace",
      role: "child-can-order",
      reason: "pizza",
    });
    const decided = await backend.denyAccessRequest("jane", request.id, "not tonight");
    expect(decided).toMatchObject({
      status: "denied",
      reviewer: "jane",
      reviewerComment: "not tonight",
      createdAt: "2026-01-02T03:04:05.000Z",
      decidedAt: "2026-01-02T03:04:05.000Z",
    });
  });

  it("refuses self-approval, duplicate pending requests, roles already held and unknown users", async () => {
    const backend = open();
    const own = await backend.createAccessRequest("joe", {
      resourceInstance: "pizza-palace",
      role: "child-can-order",
      reason: "testing",
    });
    await expect(backend.approveAccessRequest("joe", own.id)).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/own access request; another reviewer must/) as string,
    });
    await expect(
      backend.createAccessRequest("joe", {
        resourceInstance: "pizza-palace",
        role: "child-can-order",
        reason: "again",
      }),
    ).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(own.id) as string });
    await expect(
      backend.createAccessRequest("rose", {
        resourceInstance: "burger-bonanza",
        role: "child-can-order",
        reason: "x",
      }),
    ).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/already holds role child-can-order/) as string,
    });
    await expect(
      backend.createAccessRequest("mallory", {
        resourceInstance: "pizza-palace",
        role: "parent",
        reason: "x",
      }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect((await backend.approveAccessRequest("jane", own.id)).status).toBe("approved");
  });

  it("uses an approval once even when two connections race for it", async () => {
    const one = open();
    const two = open();
    const approval = await one.createOperationApproval("henry", {
      resourceInstance: "pizza-palace",
      operation: "order_dish:Truffle Pizza",
      reason: "birthday",
    });
    await two.approveOperationApproval("joe", approval.id);
    const results = await Promise.all([
      one.consumeOperationApproval("henry", "pizza-palace", "order_dish: truffle pizza"),
      two.consumeOperationApproval("henry", "pizza-palace", "ORDER_DISH:Truffle Pizza"),
    ]);
    expect(results.filter((result) => result !== null).map((result) => result?.id)).toEqual([approval.id]);
    expect(await one.consumeOperationApproval("henry", "pizza-palace")).toBeNull();
    expect(await one.consumeOperationApproval("rose", "pizza-palace")).toBeNull();
  });

  it("normalises operations so spacing and case do not matter", () => {
    expect(operationKey("  Order_Dish :  Truffle   Pizza ")).toBe("order_dish:truffle pizza");
    expect(operationKey("order_dish")).toBe("order_dish");
  });
});
