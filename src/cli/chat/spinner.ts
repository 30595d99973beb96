import type { Reviewer, ReviewRequest, ReviewResponse } from "../../review/decisions.js";
import type { CliContext } from "../context.js";

/**
 * A spinner on stderr while the agent works, only when stderr is a terminal (never in pipes or tests).
 * It stops while a person is being asked, so a review prompt is never drawn over.
 */
export interface Spinner {
  spin<T>(work: () => Promise<T>): Promise<T>;
  /** Stops the spinner while `work` runs (a question to the person), and restarts it after if it was on. */
  pause<T>(work: () => Promise<T>): Promise<T>;
  /** Changes what the spinner says while it spins (e.g. that the turn is being cancelled). */
  say(text: string): void;
}

interface Drawn {
  start(): unknown;
  stop(): unknown;
  text: string;
}

export function createSpinner(ctx: CliContext): Spinner {
  const stderr = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  let drawn: Drawn | null = null;
  let spinning = false;
  return {
    async spin(work) {
      // A terminal that reports no width (some ptys) makes ora clear lines forever and hang: no spinner.
      if (!stderr.isTTY || !stderr.columns) return work();
      const { default: ora } = await import("ora");
      drawn ??= ora({ text: thinking, stream: stderr, discardStdin: false });
      spinning = true;
      drawn.start();
      try {
        return await work();
      } finally {
        spinning = false;
        drawn.stop();
        drawn.text = thinking;
      }
    },
    async pause(work) {
      const wasSpinning = spinning;
      if (wasSpinning) drawn?.stop();
      try {
        return await work();
      } finally {
        if (wasSpinning && spinning) drawn?.start();
      }
    },
    say(text) {
      if (drawn) drawn.text = text;
    },
  };
}

const thinking = "thinking…";

/** The same reviewer, with the spinner stopped while it asks. */
export function pausingReviewer(reviewer: Reviewer, spinner: Spinner): Reviewer {
  return {
    name: reviewer.name,
    ...(reviewer.nobody ? { nobody: true } : {}),
    review: (request: ReviewRequest, signal?: AbortSignal): Promise<ReviewResponse> =>
      spinner.pause(() => reviewer.review(request, signal)),
  };
}
