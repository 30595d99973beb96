import type { Reviewer, ReviewRequest, ReviewResponse } from "../../review/decisions.js";
import { holdTypedKeys } from "../../review/typedKeys.js";
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

export interface SpinnerOptions {
  /**
   * Holds keys typed while it spins (holdTypedKeys), so the terminal does not echo them over it: for a
   * chat that reads them as its next lines. A -q run leaves them to the terminal (the shell's, after it).
   */
  holdKeys?: boolean;
}

export function createSpinner(ctx: CliContext, options: SpinnerOptions = {}): Spinner {
  const stderr = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  const { raiseSignal } = ctx;
  const holdKeys =
    options.holdKeys && raiseSignal ? () => holdTypedKeys(ctx.stdin, raiseSignal) : () => () => undefined;
  let drawn: Drawn | null = null;
  let spinning = false;
  let releaseKeys: () => void = () => undefined;
  return {
    async spin(work) {
      // A terminal that reports no width (some ptys) makes ora clear lines forever and hang: no spinner.
      if (!stderr.isTTY || !stderr.columns) return work();
      releaseKeys = holdKeys();
      try {
        const { default: ora } = await import("ora");
        drawn ??= ora({ text: thinking, stream: stderr, discardStdin: false });
        spinning = true;
        drawn.start();
        return await work();
      } finally {
        releaseKeys();
        spinning = false;
        drawn?.stop();
        if (drawn) drawn.text = thinking;
      }
    },
    async pause(work) {
      const wasSpinning = spinning;
      if (wasSpinning) {
        drawn?.stop();
        // The person is asked at a prompt of its own, which reads the keys held so far (set aside at a card).
        releaseKeys();
      }
      try {
        return await work();
      } finally {
        if (wasSpinning && spinning) {
          releaseKeys = holdKeys();
          drawn?.start();
        }
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
