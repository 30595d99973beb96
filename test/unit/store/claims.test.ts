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
});
