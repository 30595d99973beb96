import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoSeedPath, readSeedFile, type Seed } from "../../../src/server/seed.js";

describe("seed files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "askfirst-seed-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The demo's seed, changed by `change`, written to a file of its own. */
  async function writeSeed(change: (seed: Seed) => unknown): Promise<string> {
    const file = join(dir, "seed.json");
    await writeFile(file, JSON.stringify(change(readSeedFile(demoSeedPath("family-food")))));
    return file;
  }

  it("describes the family food demo as the issue tells it", () => {
    const seed = readSeedFile(demoSeedPath("family-food"));
    expect(seed.resource.key).toBe("restaurants");
    expect(seed.resource.actions).toEqual(["read", "create", "update", "delete", "operate"]);
    expect(seed.instances.map((instance) => instance.key)).toEqual([
      "pizza-palace",
      "burger-bonanza",
      "fancy-french",
      "sushi-world",
    ]);
    expect(seed.demo?.priceLimit).toBe(10);
    expect(seed.roleAssignments.filter((assignment) => assignment.user === "henry")).toEqual([]);
  });

  it("names what is inconsistent in a bad seed", async () => {
    const file = await writeSeed((seed) => ({
      ...seed,
      roleAssignments: [{ user: "ghost", role: "parent", instance: "pizza-palace" }],
    }));
    expect(() => readSeedFile(file)).toThrow(
      /invalid seed file .*: \(root\): role assignment names unknown user ghost/,
    );
  });

  it("refuses requestable roles that are unknown or review requests", async () => {
    const file = await writeSeed((seed) => ({
      ...seed,
      resource: { ...seed.resource, requestableRoles: ["parent", "king"] },
    }));
    expect(() => readSeedFile(file)).toThrow(/requestable role parent is a reviewer role/);
    expect(() => readSeedFile(file)).toThrow(/unknown requestable role king/);
  });
});
