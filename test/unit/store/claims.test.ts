import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { claimLeaseMs, currentClaimOwner, isClaimStale } from "../../../src/store/claims.js";

describe("isClaimStale", () => {
  const now = 10 * claimLeaseMs;

  it("never lets a live reviewer on this host lose its claim, however old", () => {
    expect(isClaimStale({ owner: currentClaimOwner(), claimedAt: 0 }, now)).toBe(false);
  });

  it("frees a claim whose process on this host is gone", () => {
    // Linux pids stay below 2^22, so this one cannot be running.
    expect(isClaimStale({ owner: `${hostname()}:99999999`, claimedAt: now }, now)).toBe(true);
  });

  it("keeps another host's claim for the lease, then frees it", () => {
    const owner = "some-other-host:42";
    expect(isClaimStale({ owner, claimedAt: now - claimLeaseMs + 1000 }, now)).toBe(false);
    expect(isClaimStale({ owner, claimedAt: now - claimLeaseMs - 1000 }, now)).toBe(true);
  });

  // Linux records when each process started; elsewhere an owner is host:pid only (the tests above).
  describe.runIf(existsSync("/proc/self/stat"))("where the system says when a process started", () => {
    it("records this process's start in its claims", () => {
      expect(currentClaimOwner()).toMatch(new RegExp(`^${hostname()}:${process.pid}/\\d+$`));
    });

    it("frees a claim whose pid now belongs to another process (a restarted container reuses pids)", () => {
      const start = Number(currentClaimOwner().split("/")[1]);
      const predecessor = `${hostname()}:${process.pid}/${start - 1}`;
      expect(isClaimStale({ owner: predecessor, claimedAt: now }, now)).toBe(true);
    });

    it("keeps a claim written before starts were recorded while its pid is running", () => {
      expect(isClaimStale({ owner: `${hostname()}:${process.pid}`, claimedAt: 0 }, now)).toBe(false);
    });

    it("reads an owner it cannot parse as another host's, held for the lease", () => {
      const owner = `${hostname()}:${process.pid}/x/y`;
      expect(isClaimStale({ owner, claimedAt: now - 1000 }, now)).toBe(false);
      expect(isClaimStale({ owner, claimedAt: now - claimLeaseMs - 1000 }, now)).toBe(true);
    });
  });
});
