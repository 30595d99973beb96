import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Who holds a review claim, so a claim left by a reviewer that died (kill -9 while resuming) does not keep
 * the review from everyone forever. A claim is taken over when its process is gone from this host, or,
 * for a claim from another host, once it is older than the lease. A live local claim is never taken.
 *
 * A local owner is its pid and, where the system says (Linux's /proc), when that process started: pids are
 * reused, soonest in a container, where a restarted askfirst may get the very pid its dead predecessor
 * held. A claim whose pid now belongs to a process that started at another time is stale.
 */

/** How long a claim from another host holds before anyone may take it over. */
export const claimLeaseMs = 60 * 60 * 1000;

/**
 * How long a card counts as open after its reviewer last said so. A card open here says so every second
 * (answeredElsewhere.ts), so one left by a process that died stops counting within this.
 */
export const shownLeaseMs = 10_000;

/** True while someone other than `reviewer` has the review's card open (see PendingReview.shownTo). */
export function isShown(
  review: { shownTo?: { reviewer: string; at: number } },
  now: number,
  reviewer?: string,
) {
  const shown = review.shownTo;
  return shown !== undefined && shown.reviewer !== reviewer && now - shown.at < shownLeaseMs;
}

/** When this process started (empty where unknown), read once. */
let ownStart: string | undefined;

/** This process, as recorded in the claims it takes: `host:pid/start`, or `host:pid` where starts are unknown. */
export function currentClaimOwner(): string {
  ownStart ??= processStart(process.pid) ?? "";
  return `${hostname()}:${process.pid}${ownStart === "" ? "" : `/${ownStart}`}`;
}

/** A claim anyone may take: a local owner's whose process is gone, or another host's past the lease. */
export function isClaimStale(
  claim: { owner: string | null; claimedAt: number | null },
  now: number,
): boolean {
  const local = parseLocalOwner(claim.owner);
  if (local !== null) {
    if (!isProcessAlive(local.pid)) return true;
    const start = local.start === null ? null : processStart(local.pid);
    return start !== null && start !== local.start;
  }
  return claim.claimedAt === null || now - claim.claimedAt > claimLeaseMs;
}

/**
 * The pid (and start, when recorded) of an owner that ran on this host; null for another host's owner or
 * one that cannot be read. Owners written before starts were recorded are `host:pid`.
 */
function parseLocalOwner(owner: string | null): { pid: number; start: string | null } | null {
  if (!owner) return null;
  const separator = owner.lastIndexOf(":");
  if (owner.slice(0, separator) !== hostname()) return null;
  const [pidText = "", start = null, ...rest] = owner.slice(separator + 1).split("/");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || rest.length > 0 || start === "") return null;
  return { pid, start };
}

/** When a process started, in clock ticks since boot (field 22 of /proc/<pid>/stat); null where unknown. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces; fields 3 on follow its last ")".
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    return start !== undefined && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
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
