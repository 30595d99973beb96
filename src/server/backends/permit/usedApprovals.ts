import { setTimeout as delay } from "node:timers/promises";
import { BackendError } from "../types.js";

/** The user attribute where this backend records which approved operation approvals were used. */
export const usedApprovalsAttribute = "askfirst_used_operation_approvals";

/** One process's claim to have used an approval: when, and a token naming that process. */
interface Claim {
  at: string;
  by: string;
}

type Claims = Record<string, Claim[]>;

/** Reading and replacing a user's attributes (Permit's PATCH replaces them all). */
export interface AttributeStore {
  read(user: string): Promise<Record<string, unknown>>;
  write(user: string, attributes: Record<string, unknown>): Promise<void>;
}

// Merges before giving up: each retry follows a writer that dropped our record, which is rare.
const maxMerges = 3;
// The read after a write waits as long as the write took, at most this long.
const maxSettleMs = 2000;

/**
 * Records uses of operation approvals on the requester, for processes that share one Permit environment.
 * Permit has no compare-and-set on user attributes, so this narrows, but cannot close, two windows. Each
 * write re-reads and merges just before it, then reads back after waiting as long as the write took,
 * merging again when another writer dropped our record. A claim on an approval someone else already
 * recorded is given up; two claims seen together are won by the earliest time, then the lowest writer
 * token. What remains: if another process read the attribute before our write landed and its own write
 * lands more than that wait after ours, both calls may use the same approval, and that write drops our
 * records. This process re-sends its own records with each later write, so they come back at its next
 * use, but until then an approval whose record was dropped can be used again.
 */
export class UseRecorder {
  private readonly mine = new Map<string, Claims>();

  constructor(
    private readonly store: AttributeStore,
    private readonly writer: string,
    private readonly pause: (ms: number) => Promise<void> = (ms) => delay(ms),
  ) {}

  /** True when this call used the approval; false when another writer recorded it first. */
  async claim(user: string, approvalId: string, at: string): Promise<boolean> {
    const own: Claim = { at, by: this.writer };
    for (let merge = 0; merge < maxMerges; merge += 1) {
      const current = await this.store.read(user);
      const recorded = claimsFrom(current);
      if ((recorded[approvalId] ?? []).some((claim) => !isSame(claim, own))) return false;
      this.remember(user, approvalId, own);
      const after = await this.writeAndSettle(user, current, recorded);
      const claims = after[approvalId] ?? [];
      if (claims.some((claim) => isSame(claim, own))) return isSame(winnerOf(claims), own);
      if (claims.length > 0) return this.forget(user, approvalId);
    }
    throw new BackendError(
      "upstream",
      `could not record the use of operation approval ${approvalId} on ${user} in Permit: other writers kept replacing the user's attributes; try again`,
    );
  }

  private async writeAndSettle(
    user: string,
    current: Record<string, unknown>,
    recorded: Claims,
  ): Promise<Claims> {
    const claims = merged(recorded, this.mine.get(user) ?? {});
    const started = performance.now();
    await this.store.write(user, { ...current, [usedApprovalsAttribute]: claims });
    // A write that began before ours landed most likely lands within as long as ours took.
    await this.pause(Math.min(performance.now() - started, maxSettleMs));
    return claimsFrom(await this.store.read(user));
  }

  private remember(user: string, approvalId: string, claim: Claim): void {
    this.mine.set(user, merged(this.mine.get(user) ?? {}, { [approvalId]: [claim] }));
  }

  private forget(user: string, approvalId: string): false {
    const { [approvalId]: _dropped, ...rest } = this.mine.get(user) ?? {};
    this.mine.set(user, rest);
    return false;
  }
}

/** Approval id → when it was first used. */
export function usedFrom(attributes: object | undefined): Record<string, string> {
  const claims = claimsFrom(attributes);
  return Object.fromEntries(
    Object.entries(claims)
      .filter(([, list]) => list.length > 0)
      .map(([id, list]) => [id, winnerOf(list).at]),
  );
}

/** The recorded claims; an entry written by an earlier version (a bare time) is one unnamed claim. */
function claimsFrom(attributes: object | undefined): Claims {
  const recorded = (attributes as Record<string, unknown> | undefined)?.[usedApprovalsAttribute];
  if (!recorded || typeof recorded !== "object" || Array.isArray(recorded)) return {};
  const claims: Claims = {};
  for (const [id, value] of Object.entries(recorded as Record<string, unknown>)) {
    if (typeof value === "string") claims[id] = [{ at: value, by: "" }];
    else if (Array.isArray(value)) claims[id] = value.filter(isClaim);
  }
  return claims;
}

function isClaim(value: unknown): value is Claim {
  const claim = value as Partial<Claim> | null;
  return typeof claim?.at === "string" && typeof claim.by === "string";
}

function merged(a: Claims, b: Claims): Claims {
  const all: Claims = { ...a };
  for (const [id, list] of Object.entries(b)) {
    const known = all[id] ?? [];
    all[id] = [...known, ...list.filter((claim) => !known.some((other) => isSame(other, claim)))];
  }
  return all;
}

function winnerOf(claims: Claim[]): Claim {
  return [...claims].sort((x, y) => x.at.localeCompare(y.at) || x.by.localeCompare(y.by))[0] as Claim;
}

function isSame(a: Claim, b: Claim): boolean {
  return a.at === b.at && a.by === b.by;
}
