import { UsageError } from "../../src/errors.js";

/** The UsageError `run` throws; anything else thrown, or nothing, fails the test. */
export function usageErrorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}
