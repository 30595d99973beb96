import { ExitCode, isAskfirstError, UsageError } from "../../errors.js";
import { cancelledAtTerminal } from "../../review/answers.js";
import type { Reviewer, ReviewResponse } from "../../review/decisions.js";
import { isClaimStale, isShown } from "../../store/claims.js";
import type { PendingReview, ReviewQueue } from "../../store/types.js";

/**
 * `askfirst review` with no thread: the oldest review nobody is answering or has open elsewhere, asked at
 * the terminal; with --follow, each one as it comes until Ctrl-C.
 */

/** Why --follow stops after the card just answered: the person cancelled it, or did not answer in time. */
export type Stop = string | null;

export interface NextReviews {
  queue: ReviewQueue;
  /** Who answers here: a card open for them is not someone else's. */
  reviewer: string;
  clock: () => number;
  write: (text: string) => void;
  /** Ctrl-C: stops --follow while it waits. */
  signal: AbortSignal;
  /** Answers the thread's review at the terminal, runs on and prints the run; its exit code. */
  answer: (threadId: string) => Promise<ExitCode>;
  /** Set by the answer just given when the person is not there (see stopAfter). */
  stopped: () => Stop;
}

/** How often --follow looks at the queue while nothing waits for it. */
const queueLookMs = 1000;

/** Without a thread, only the terminal answers: a decision given on the command line needs its review. */
export function checkNextReviewFlags(
  options: { approve?: boolean; reject?: string; edit?: string; answers?: string; interrupt?: string },
  onTerminal: boolean,
): void {
  const given = options.approve
    ? "--approve"
    : options.reject !== undefined
      ? "--reject"
      : options.edit !== undefined
        ? "--edit"
        : options.answers !== undefined
          ? "--answers"
          : options.interrupt !== undefined
            ? "--interrupt"
            : null;
  if (given)
    throw new UsageError(
      `${given} needs the thread whose review it answers: askfirst review <thread> ${given} … (askfirst pending lists them); without a thread, askfirst review asks at the terminal about the oldest review waiting`,
    );
  if (!onTerminal)
    throw new UsageError(
      "no terminal to ask at: name the thread (askfirst pending lists them) and answer with --approve, --reject <reason>, --edit <json> or --answers <file>",
    );
}

/** Answers the oldest review, then says how many more wait. */
export async function answerOldest(next: NextReviews): Promise<ExitCode> {
  const picked = pickNext(await next.queue.list(), next.reviewer, next.clock(), { onlyUnseen: false });
  next.write(picked.said);
  if (picked.threadId === null) return ExitCode.ok;
  const code = await next.answer(picked.threadId);
  const now = next.clock();
  const left = (await next.queue.list().catch(() => [])).filter((review) => isOpen(review, now)).length;
  if (left > 0)
    next.write(
      `${left === 1 ? "1 more review waits" : `${left} more reviews wait`}: askfirst review answers the oldest.\n`,
    );
  return code;
}

/**
 * Answers each review nobody else has open, oldest first, as it comes, until Ctrl-C (exit 130) or a card
 * the person cancelled or left unanswered (exit 0): someone who walked away does not reject the queue one
 * review after another. A review answered or moved on elsewhere first is passed over.
 */
export async function followQueue(next: NextReviews): Promise<ExitCode> {
  let waitingSaid = false;
  for (;;) {
    if (next.signal.aborted) return ExitCode.interrupted;
    const picked = pickNext(await next.queue.list(), next.reviewer, next.clock(), { onlyUnseen: true });
    if (picked.threadId === null) {
      if (!waitingSaid) next.write("Waiting for reviews (Ctrl-C stops)…\n");
      waitingSaid = true;
      await waitOrStop(queueLookMs, next.signal);
      continue;
    }
    waitingSaid = false;
    next.write(picked.said);
    try {
      await next.answer(picked.threadId);
    } catch (error) {
      if (!isAskfirstError(error) || !["review_taken", "no_review"].includes(error.code)) throw error;
      next.write(`askfirst: ${error.message}\n`);
    }
    const stop = next.stopped();
    if (stop) {
      next.write(`${stop}: no more reviews are answered here.\n`);
      return ExitCode.ok;
    }
  }
}

/** The reviewer, noting in `stops` the first answer that says the person is not there (see stopAfter). */
export function noteStops(reviewer: Reviewer, stops: { reason: Stop }): Reviewer {
  return {
    name: reviewer.name,
    ...(reviewer.nobody ? { nobody: true } : {}),
    review: async (request, signal) => {
      const answer = await reviewer.review(request, signal);
      // A card closed by its signal was answered elsewhere (see askWhileWatching): nobody walked away.
      if (!signal?.aborted) stops.reason ??= stopAfter(answer);
      return answer;
    },
  };
}

/** The card was cancelled at the terminal (Ctrl-C, end of input) or timed out: the person is not there. */
export function stopAfter(answer: ReviewResponse): Stop {
  for (const decision of answer.decisions) {
    if (decision.type !== "reject") continue;
    if (decision.timedOut) return "A card went unanswered";
    if (decision.message === cancelledAtTerminal) return "A card was cancelled";
  }
  return null;
}

/**
 * Nobody is answering it: unclaimed, or claimed by a process that is gone (see isClaimStale), whose claim
 * the answer given here takes over.
 */
function isOpen(review: PendingReview, now: number): boolean {
  return review.claimedBy === null || (review.claim !== undefined && isClaimStale(review.claim, now));
}

/**
 * The oldest review nobody is answering or has open elsewhere, and what to say of it. Unless `onlyUnseen`,
 * one open elsewhere is taken when there is no other (saying so). None: why, in `said`. A review whose
 * queued request is unreadable is asked all the same: the session reads its calls from the thread.
 */
function pickNext(
  queued: readonly PendingReview[],
  reviewer: string,
  now: number,
  options: { onlyUnseen: boolean },
): { threadId: string | null; said: string } {
  const open = queued.filter((review) => isOpen(review, now));
  const unseen = open.filter((review) => !isShown(review, now, reviewer));
  const oldest = options.onlyUnseen ? unseen[0] : (unseen[0] ?? open[0]);
  if (!oldest) return { threadId: null, said: noneWaiting(queued.length, open.length) };
  const of = open.length > 1 ? ` (of ${open.length})` : "";
  const passed = open.indexOf(oldest);
  const what = passed > 0 ? "The oldest review no one else has open" : "The oldest review waiting";
  const note = isShown(oldest, now, reviewer)
    ? `; its card is open for ${oldest.shownTo?.reviewer ?? "someone"} too, and the first answer counts`
    : oldest.claimedBy !== null
      ? `; ${oldest.claimedBy} began answering it in a process that is gone, and an answer here takes it over`
      : passed > 0
        ? `; ${passed === 1 ? "1 older one has its card" : `${passed} older ones have their cards`} open elsewhere`
        : "";
  return { threadId: oldest.threadId, said: `${what}${of}, in thread ${oldest.threadId}${note}:\n` };
}

function noneWaiting(waiting: number, open: number): string {
  const taken = waiting - open;
  if (waiting === 0) return "No reviews are pending.\n";
  if (open === 0)
    return `No review waits for an answer: ${taken === 1 ? "1 is" : `${taken} are`} being answered (askfirst pending lists ${taken === 1 ? "it" : "them"}).\n`;
  return `No review waits for an answer here: ${open === 1 ? "1 has its card" : `${open} have their cards`} open elsewhere.\n`;
}

function waitOrStop(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
