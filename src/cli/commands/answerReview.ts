import type { OnReview, Session, TurnResult } from "../../agent/sessionTypes.js";
import { AskfirstError, UsageError } from "../../errors.js";
import type { Decision, Reviewer, ReviewResponse } from "../../review/decisions.js";
import type { PendingReview, ReviewQueue } from "../../store/types.js";
import { parseArgsFlag } from "./argsFlag.js";
import type { CliContext } from "../context.js";
import { formatPendingView, gatherPending } from "./pending.js";
import type { ReviewOptions } from "./review.js";
import { checkNextReviewFlags } from "./reviewNext.js";

/** `askfirst review <thread>`: the answer given by flags, checked, and applied to the review waiting. */

export function checkReviewFlags(options: ReviewOptions): void {
  const chosen = [options.approve, options.reject !== undefined, options.edit !== undefined, options.answers];
  if (chosen.filter(Boolean).length > 1)
    throw new UsageError("choose one of --approve, --reject <reason>, --edit <json> or --answers <file>");
  // LangGraph's interrupt ids are 32 hex digits, as askfirst pending shows them.
  if (options.interrupt !== undefined && !/^[0-9a-f]{32}$/i.test(options.interrupt.trim()))
    throw new UsageError(
      `--interrupt "${options.interrupt.slice(0, 40)}" is not a review id: give the 32 hex digits askfirst pending shows`,
    );
}

/** Flags that cannot go together, or cannot be answered here, refused before anything is opened. */
export async function checkStartFlags(thread: string | undefined, options: ReviewOptions, ctx: CliContext) {
  checkReviewFlags(options);
  // Loaded when used: every command's module loads for --help, which should stay fast.
  if (thread !== undefined) (await import("../identifiers.js")).checkThreadId(thread, "the thread");
  if (thread === undefined) checkNextReviewFlags(options, Boolean(ctx.stdin.isTTY));
  else if (options.follow)
    throw new UsageError(
      "--follow answers the reviews that come, whatever their thread: give it no thread (askfirst review --follow)",
    );
  // Nobody to ask: refuse before touching the review, which stays pending (rejecting it would lose it).
  if (!isAnsweredByFlags(options) && !options.answers && !ctx.stdin.isTTY)
    throw new UsageError(
      "no terminal to ask at: answer with --approve, --reject <reason>, --edit <json> or --answers <file>",
    );
}

export function isAnsweredByFlags(options: ReviewOptions): boolean {
  return Boolean(options.approve) || options.reject !== undefined || options.edit !== undefined;
}

/** Decision flags given on the command line, or null when a reviewer (answers file, terminal) decides. */
export function flagDecisions(options: ReviewOptions, review: PendingReview): Decision[] | null {
  checkReviewFlags(options);
  const actions = review.request.actionRequests;
  if (options.approve) return actions.map(() => ({ type: "approve" }));
  if (options.reject !== undefined) {
    const message = options.reject.trim();
    return actions.map(() => (message ? { type: "reject", message } : { type: "reject" }));
  }
  if (options.edit === undefined) return null;
  const [action] = actions;
  if (actions.length !== 1 || !action)
    throw new UsageError(
      `this review has ${actions.length} calls; --edit fits a review of one call, use --answers <file>`,
    );
  const args = parseArgsFlag("--edit", options.edit, "the new arguments");
  return [{ type: "edit", editedAction: { name: action.name, args } }];
}

export interface AnswerReviewInput {
  session: Session;
  threadId: string;
  clock: () => number;
  /** Produces the answer for a review that has not expired: from flags, a file or a person. */
  decide: (review: PendingReview) => Promise<ReviewResponse>;
  /** What later reviews of the same run do: asked by the same reviewer, or left pending. */
  onReview: OnReview;
  /** The review the answer is meant for (`--interrupt`); when another is waiting, nothing is answered. */
  interruptId?: string;
  /** Told when the review had expired, so no answer given here was applied (expiry rejected its calls). */
  onExpired?: () => void;
  write: (text: string) => void;
  /** Cancels the resumed run (Ctrl-C): it stops where it is, and throws TurnCancelled. */
  signal?: AbortSignal;
}

/**
 * Answers the thread's pending review exactly once and runs on. A review past its stored deadline is
 * rejected as timed out, whoever asks. If another reviewer answered first, this one is told and nothing is
 * applied.
 */
export async function answerReview(input: AnswerReviewInput): Promise<TurnResult> {
  const { session, threadId } = input;
  const review = await session.pendingReview(threadId);
  if (!review)
    throw new AskfirstError(`thread ${threadId} has no review waiting (see askfirst pending)`, {
      code: "no_review",
      source: "user",
    });
  if (input.interruptId !== undefined && review.interruptId !== input.interruptId)
    throw new AskfirstError(
      `thread ${threadId} waits on review ${review.interruptId}, not on ${input.interruptId} (answered already, or never asked in this thread): see askfirst pending; nothing was answered`,
      { code: "review_taken", source: "user" },
    );
  const [view] = gatherPending([review], input.clock());
  if (view) input.write(`${formatPendingView(view)}\n`);
  // Not refused here: a claim left by a reviewer that died is taken over when this answer is applied.
  if (review.claimedBy)
    input.write(
      `${review.claimedBy} has claimed this review; if they are still answering, yours is refused.\n`,
    );
  const { isExpired, timedOutResponse } = await import("../../store/deadlines.js");
  let response = isExpired(review, input.clock()) ? null : await input.decide(review);
  // An answer that comes after the deadline counts for nothing: expiry rejects, audited as timed out.
  if (response === null || isExpired(review, input.clock())) {
    input.write("The review's deadline has passed: its calls are rejected as timed out.\n");
    input.onExpired?.();
    response = timedOutResponse(review);
  }
  // The thread may have moved on while this reviewer decided: the session refuses an answer given for
  // another review than the one waiting now.
  return session.resume(threadId, response, {
    onReview: input.onReview,
    interruptId: review.interruptId,
    ...(input.signal ? { signal: input.signal } : {}),
  });
}

/**
 * The answer to one review: from the decision flags, else asked of the reviewer here (answers file or
 * terminal) while the queue is watched, so the card closes if it is answered elsewhere meanwhile.
 */
export async function decide(
  review: PendingReview,
  options: ReviewOptions,
  asking: {
    reviewer: Reviewer;
    name: string;
    queue: ReviewQueue;
    offered: (user: string) => Promise<string[]>;
    /** Refuses servers that cannot run the resumed run (the built-in one's data folder), before any answer. */
    checkServers: () => Promise<void>;
  },
): Promise<ReviewResponse> {
  await asking.checkServers();
  const decisions = flagDecisions(options, review);
  if (decisions) return { decisions, reviewer: asking.name };
  // Asked only when its answer could be applied here: the run it resumes needs the tools it asks about.
  const offered = new Set(await asking.offered(review.actingUser));
  const missing = review.request.actionRequests
    .map((action) => action.name)
    .filter((tool) => !offered.has(tool));
  if (missing.length > 0)
    throw new AskfirstError(
      `the servers here do not offer ${[...new Set(missing)].join(", ")}, which the review in thread ${review.threadId} asks about, so no answer given here could be applied; answer it with the servers of the chat that asked (the same --demo, --server); nothing was asked or answered`,
      { code: "review_policy_mismatch", source: "user" },
    );
  // The card closes when the review is answered elsewhere meanwhile: nothing is answered here.
  const { askWhileWatching, defaultQueueWatchMs } = await import("../../agent/answeredElsewhere.js");
  const asked = await askWhileWatching(asking.queue, review, asking.reviewer, defaultQueueWatchMs);
  if ("answer" in asked) return asked.answer;
  const { by } = asked.taken;
  throw new AskfirstError(
    `the review in thread ${review.threadId} was answered elsewhere${by ? ` by ${by}` : ""} while its card was open here; nothing was answered here (askfirst chat -t ${review.threadId} shows what the thread did)`,
    { code: "review_taken", source: "user" },
  );
}
