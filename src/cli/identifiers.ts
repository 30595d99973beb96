import { UsageError } from "../errors.js";
import { answersRanOutReviewer, nobodyReviewer } from "../review/reviewerNames.js";
import { timeoutReviewer } from "../store/deadlines.js";

// Control, format (zero-width, bidirectional overrides) and line-separator characters: a thread id or
// reviewer name is printed in `pending`, `audit` and suggested commands, where one could forge lines.
const unprintable = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

function checkPrintable(value: string, what: string, from: string, max: number): string {
  if (value.trim() === "") throw new UsageError(`${from} is empty: give ${what}`, "bad_name");
  if (unprintable.test(value))
    throw new UsageError(
      `${from} holds a control or invisible character: give ${what} in printable characters`,
      "bad_name",
    );
  if (value.length > max)
    throw new UsageError(`${from} is ${value.length} characters long: at most ${max}`, "bad_name");
  return value;
}

/** A thread id as given (`-t`, `review <thread>`, `audit --thread`): printable, at most 200 characters. */
export function checkThreadId(value: string, from: string): string {
  return checkPrintable(value, "a thread id", from, 200);
}

/**
 * A reviewer's name as given (`--reviewer`): printable, at most 100 characters, and none of the names
 * askfirst records itself when no person decided. The name is what the person says it is: askfirst
 * does not authenticate it (see the README).
 */
export function checkReviewerName(value: string, from: string): string {
  checkPrintable(value, "the name of who answers", from, 100);
  if ([timeoutReviewer, nobodyReviewer, answersRanOutReviewer].includes(value.trim()))
    throw new UsageError(
      `${from} "${value}" is the name askfirst records when no person decided; give your own`,
      "bad_name",
    );
  return value;
}
