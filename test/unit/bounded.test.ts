import { describe, expect, it } from "vitest";
import { setBounded } from "../../src/bounded.js";

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
