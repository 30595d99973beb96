import { hostname } from "node:os";

/**
 * Who holds a review claim, so a claim left by a reviewer that died (kill -9 while resuming) does not keep
 * the review from everyone forever. A claim is taken over when its process is gone from this host, or,
 * for a claim from another host, once it is older than the lease. A live local claim is never taken.
 */

/** How long a claim from another host holds before anyone may take it over. */
export const claimLeaseMs = 60 * 60 * 1000;

/** This process, as recorded in the claims it takes. */
export function currentClaimOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/** A claim anyone may take: a local owner's whose process is gone, or another host's past the lease. */
export function isClaimStale(
  claim: { owner: string | null; claimedAt: number | null },
  now: number,
): boolean {
  const local = parseLocalOwner(claim.owner);
  if (local !== null) return !isProcessAlive(local);
  return claim.claimedAt === null || now - claim.claimedAt > claimLeaseMs;
}

/** The pid of an owner that ran on this host, or null for another host's (or an unreadable) owner. */
function parseLocalOwner(owner: string | null): number | null {
  if (!owner) return null;
  const separator = owner.lastIndexOf(":");
  const pid = Number(owner.slice(separator + 1));
  if (owner.slice(0, separator) !== hostname() || !Number.isInteger(pid) || pid <= 0) return null;
  return pid;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
