import { describe, expect, it } from "vitest";
import { keptOrBuilt, setBounded } from "../../src/bounded.js";

describe("setBounded", () => {
  it("keeps at most `limit` entries, dropping the oldest, and a key set again becomes the newest", () => {
    const map = new Map<string, number>();
    for (const key of ["a", "b", "c"]) setBounded(map, key, 1, 3);
    setBounded(map, "a", 2, 3);
    expect([...map]).toEqual([
      ["b", 1],
      ["c", 1],
      ["a", 2],
    ]);
    setBounded(map, "d", 1, 3);
    expect([...map.keys()]).toEqual(["c", "a", "d"]);
  });
});

describe("keptOrBuilt", () => {
  it("builds a value once per key, keeps at most `limit`, and builds a dropped one again", () => {
    const map = new Map<string, string>();
    const built: string[] = [];
    const build = (key: string) => {
      built.push(key);
      return key.toUpperCase();
    };
    expect(keptOrBuilt(map, "a", build, 2)).toBe("A");
    expect(keptOrBuilt(map, "a", build, 2)).toBe("A");
    keptOrBuilt(map, "b", build, 2);
    keptOrBuilt(map, "c", build, 2);
    expect([...map.keys()]).toEqual(["b", "c"]);
    expect(keptOrBuilt(map, "a", build, 2)).toBe("A");
    expect(built).toEqual(["a", "b", "c", "a"]);
  });
});
