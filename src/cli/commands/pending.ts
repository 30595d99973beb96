import type { Command } from "commander";
import type { Tier } from "../../review/decisions.js";
import { maskSecrets } from "../../review/mask.js";
import { isClaimStale, isShown } from "../../store/claims.js";
import type { PendingReview, Store } from "../../store/types.js";
import type { CliContext } from "../context.js";

interface PendingOptions {
  json?: boolean;
  store?: string;
}

export const storeOptionHelp =
  "the store askfirst chat used: sqlite:<path> | postgres://... (default: ASKFIRST_STORE or sqlite:.askfirst/askfirst.db)";

/**
 * The store of `pending` and `audit`, which only read the queue or the audit log. No checkpointer: they
 * must not load LangGraph (see issue 6, pending in ≤ 200 ms). A SQLite file that does not exist is not
 * created: one the person named is an error (exit 2); the default one reads as empty, with a note on
 * stderr saying there is no store in this folder, so scripts reading stdout see an empty list. A file or
 * schema that is not an askfirst store is an error too, and is left untouched.
 */
export async function openStoreForReading(spec: string | undefined, ctx: CliContext): Promise<Store> {
  const { openStore, storeToRead } = await import("../../store/open.js");
  const store = storeToRead(spec, ctx.env, ctx.cwd);
  if (!store.absent) return openStore(store.spec, { cwd: ctx.cwd, checkpointer: false, existing: true });
  if (store.isNamed) throw store.absent;
  ctx.stderr.write(`askfirst: note: ${store.absent.message}\n`);
  return openStore({ kind: "memory" }, { cwd: ctx.cwd, checkpointer: false });
}

export function registerPending(program: Command, ctx: CliContext): void {
  program
    .command("pending")
    .description("List every review waiting for a person, across processes, from the store")
    .option("--json", "print JSON instead of text")
    .option("--store <spec>", storeOptionHelp)
    .action(async (options: PendingOptions) => {
      const store = await openStoreForReading(options.store, ctx);
      try {
        const views = gatherPending(await store.queue.list(), Date.now());
        ctx.stdout.write(options.json ? `${JSON.stringify(views, null, 2)}\n` : formatPending(views));
      } finally {
        await store.close();
      }
    });
}

export interface PendingCallView {
  tool: string;
  server: string;
  /** With secrets masked. */
  args: Record<string, unknown>;
  tier: Tier;
  rule: string;
  message: string | null;
}

export interface PendingView {
  threadId: string;
  interruptId: string;
  actingUser: string;
  createdAt: number;
  waitingMs: number;
  deadline: number | null;
  /** Milliseconds left before the deadline; negative once it has passed; null for no deadline. */
  remainingMs: number | null;
  claimedBy: string | null;
  /** The claim's process is gone (or, from another host, silent past the lease): the next answer takes it. */
  claimLeft: boolean;
  /** The reviewer who has its card open at a terminal now, if any (see PendingReview.shownTo). */
  shownTo: string | null;
  /** Why its stored request cannot be read (it then has no calls, and cannot be answered); else null. */
  unreadable: string | null;
  calls: PendingCallView[];
}

/** What a reviewer needs to see of each queued review, as of `now`. Arguments leave here masked. */
export function gatherPending(reviews: readonly PendingReview[], now: number): PendingView[] {
  return reviews.map((review) => ({
    threadId: review.threadId,
    interruptId: review.interruptId,
    actingUser: review.actingUser,
    createdAt: review.createdAt,
    waitingMs: Math.max(0, now - review.createdAt),
    deadline: review.deadline,
    remainingMs: review.deadline === null ? null : review.deadline - now,
    claimedBy: review.claimedBy,
    claimLeft: review.claimedBy !== null && review.claim !== undefined && isClaimStale(review.claim, now),
    shownTo: isShown(review, now) ? (review.shownTo?.reviewer ?? null) : null,
    unreadable: review.unreadable ?? null,
    calls: review.request.actionRequests.map((action, index) => {
      const context = review.request.context.actions[index];
      return {
        tool: action.name,
        server: context?.server ?? "unknown",
        args: maskSecrets(action.args),
        tier: context?.tier ?? "confirm",
        rule: context?.rule ?? "unknown",
        message: context?.message ?? null,
      };
    }),
  }));
}

export function formatPending(views: readonly PendingView[]): string {
  if (views.length === 0) return "No reviews are pending.\n";
  const count = views.length === 1 ? "1 review is pending" : `${views.length} reviews are pending`;
  return `${count}. Answer one with: askfirst review <thread> (at a terminal, askfirst review asks about the oldest)\n\n${views.map(formatPendingView).join("\n\n")}\n`;
}

/** One review as a reviewer reads it: who waits, for how long, and every call with its rule. */
export function formatPendingView(view: PendingView): string {
  const status = view.claimedBy
    ? view.claimLeft
      ? `claimed by ${view.claimedBy}, whose process is gone: the next answer takes it over`
      : `being answered by ${view.claimedBy}`
    : view.shownTo
      ? `unclaimed, card open for ${view.shownTo}`
      : "unclaimed";
  const lines = [
    `thread ${view.threadId}  acting user ${view.actingUser}  waiting ${formatDuration(view.waitingMs)}  ${formatDeadline(view.remainingMs)}  ${status}`,
    view.unreadable
      ? `  review ${view.interruptId}: unreadable here (${view.unreadable}); askfirst review ${view.threadId} reads its calls from the thread itself`
      : `  review ${view.interruptId}  (askfirst review ${view.threadId} --interrupt ${view.interruptId} answers only this one)`,
  ];
  view.calls.forEach((call, index) => {
    lines.push(`  ${index + 1}. ${call.tool} on ${call.server}  (${call.tier}: ${call.rule})`);
    if (call.message) lines.push(`     ${call.message}`);
    lines.push(`     args ${JSON.stringify(call.args)}`);
  });
  return lines.join("\n");
}

function formatDeadline(remainingMs: number | null): string {
  if (remainingMs === null) return "no deadline";
  if (remainingMs < 0) return `timed out ${formatDuration(-remainingMs)} ago`;
  return `times out in ${formatDuration(remainingMs)}`;
}

/** A short human duration: "45s", "4m 12s", "2h 5m", "3d 4h". */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
