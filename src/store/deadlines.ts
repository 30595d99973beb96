import type { ReviewResponse } from "../review/decisions.js";
import type { PendingReview } from "./types.js";

/** Who claims an expired review in the queue; the audit names no reviewer for it (nobody decided). */
export const timeoutReviewer = "askfirst (timeout)";

/** True once a queued review's stored deadline has passed; a review without a deadline never expires. */
export function isExpired(review: Pick<PendingReview, "deadline">, now: number): boolean {
  return review.deadline !== null && now >= review.deadline;
}

/**
 * The answer an expired review gets: every call rejected with `timedOut`, so it is audited as `timed_out`
 * (never as a person's rejection) and the model is told the review timed out. Fails closed by design.
 */
export function timedOutResponse(review: Pick<PendingReview, "request">): ReviewResponse {
  const waited = review.request.context.deadline;
  const message =
    waited === null
      ? "the review timed out: nobody answered"
      : `the review timed out: nobody answered before ${new Date(waited).toISOString()}`;
  return {
    decisions: review.request.actionRequests.map(() => ({
      type: "reject" as const,
      message,
      timedOut: true,
    })),
    reviewer: timeoutReviewer,
  };
}
