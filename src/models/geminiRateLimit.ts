import { setTimeout as sleepFor } from "node:timers/promises";
import { stampRetryable } from "@langchain/core/errors";
import { AskfirstError, redactSecrets } from "../errors.js";
import { signalOf, wrapGeminiClient } from "./geminiClient.js";

/**
 * Gemini answers 429 RESOURCE_EXHAUSTED with how long to wait in its body (a google.rpc.RetryInfo detail),
 * not in a Retry-After header, the only hint LangChain's retry reads: it retries at once and fails again.
 * Here a short wait is waited out, said once to the person, and a long one fails the turn saying why.
 */

/** What a 429 said: the wait Gemini asked for (RetryInfo) and the quota it ran into (QuotaFailure). */
export interface RateLimit {
  delayMs?: number;
  quota?: string;
}

/**
 * Longest wait, in all, for one model call. Gemini's per-minute quotas (requests, tokens) ask for up to a
 * minute; longer usually means a daily quota, which waiting at a terminal does not mend. It is also half the model
 * call's timeout (callLlm), which bounds the waits too: the retried request still has time to answer.
 */
export const longestWaitMs = 60_000;

/** Waits per model call: a quota still spent after two waits is not about to free up. */
export const mostWaits = 2;

export interface RateLimitWaits {
  /** Tells the person, once per wait, what is being waited for. */
  notice: (line: string) => void;
  /** Resolves after `ms`, or rejects as soon as `signal` aborts (default: a timer). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
  /** The client's secrets: never in a notice or an error made here, whatever the server put in its quota. */
  secrets?: string[];
}

const retryInfoType = "type.googleapis.com/google.rpc.RetryInfo";
const quotaFailureType = "type.googleapis.com/google.rpc.QuotaFailure";

/** What a 429 from @google/generative-ai's client said; undefined for any other error. */
export function readRateLimit(error: unknown): RateLimit | undefined {
  if (!isRecord(error) || error.status !== 429) return undefined;
  const details = Array.isArray(error.errorDetails) ? error.errorDetails.filter(isRecord) : [];
  const limit: RateLimit = {};
  for (const detail of details) {
    const delayMs = detail["@type"] === retryInfoType ? parseDuration(detail.retryDelay) : undefined;
    if (delayMs !== undefined) limit.delayMs = delayMs;
    const quota = detail["@type"] === quotaFailureType ? quotaNames(detail.violations) : undefined;
    if (quota) limit.quota = quota;
  }
  return limit;
}

/** A google.protobuf.Duration as JSON writes it ("37s", "0.2s", "36.42976s"), in milliseconds. */
export function parseDuration(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(value.trim()) : null;
  return match?.[1] === undefined ? undefined : Math.ceil(Number(match[1]) * 1000);
}

/** The quotas a QuotaFailure names: Gemini's quotaId, else its metric, else the standard fields. */
function quotaNames(violations: unknown): string | undefined {
  const names = (Array.isArray(violations) ? violations.filter(isRecord) : [])
    .map((violation) =>
      [violation.quotaId, violation.quotaMetric, violation.description, violation.subject].find(
        (name): name is string => typeof name === "string" && name.trim() !== "",
      ),
    )
    // One line: it is shown inside a one-line message.
    .map((name) => name?.replace(/\s+/g, " ").trim())
    .filter((name): name is string => name !== undefined);
  return names.length > 0 ? [...new Set(names)].slice(0, 3).join(", ") : undefined;
}

/**
 * Sends, and while Gemini answers 429 with a wait that fits (see longestWaitMs, mostWaits) waits it out and
 * sends again; `signal` ends a wait at once (passSignalToClient, outside this, ends the call). Any other
 * failure is thrown as it was; a rate limit not waited out throws an AskfirstError saying so, marked not
 * to be retried: LangChain's retry would only start over.
 */
export async function sendWaitingOut<T>(
  send: () => Promise<T>,
  signal: AbortSignal | undefined,
  waits: RateLimitWaits,
): Promise<T> {
  const sleep = waits.sleep ?? sleepUnlessAborted;
  let waitedMs = 0;
  for (let count = 0; ; count += 1) {
    try {
      return await send();
    } catch (error) {
      const limit = readRateLimit(error);
      if (!limit) throw error;
      const delayMs = limit.delayMs;
      if (delayMs === undefined || count >= mostWaits || waitedMs + delayMs > longestWaitMs)
        throw stampRetryable(rateLimited(limit, waitedMs, error, waits.secrets ?? []), false);
      waits.notice(redactSecrets(waitNotice(delayMs, limit.quota), waits.secrets ?? []));
      await sleep(delayMs, signal);
      waitedMs += delayMs;
    }
  }
}

/** Makes every request the chat model's client sends wait out Gemini's short rate limits. */
export function waitOutRateLimits(model: object, waits: RateLimitWaits): void {
  wrapGeminiClient(
    model,
    (send) => (request, options) => sendWaitingOut(() => send(request, options), signalOf(options), waits),
  );
}

function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<unknown> {
  return sleepFor(ms, undefined, signal ? { signal } : undefined);
}

function waitNotice(delayMs: number, quota: string | undefined): string {
  const why = quota ? `rate limit, quota ${quota}` : "rate limit";
  return `Gemini asked to wait ${formatDelay(delayMs)} (${why}); trying again then (Ctrl-C cancels)`;
}

/** The turn's failure: the rate limit, the wait Gemini asked for, the quota if it named one. */
function rateLimited(limit: RateLimit, waitedMs: number, cause: unknown, secrets: string[]): AskfirstError {
  const head = `Gemini's rate limit${limit.quota ? ` (quota ${limit.quota})` : ""}`;
  let why: string;
  if (limit.delayMs === undefined) why = "it refused the request (429) and said no time to wait";
  else if (waitedMs > 0)
    why = `still refused after waiting ${formatDelay(waitedMs)}; it now asks to wait ${formatDelay(limit.delayMs)}`;
  else
    why = `it asked to wait ${formatDelay(limit.delayMs)}, longer than askfirst waits (${formatDelay(longestWaitMs)})`;
  const message = `${head}: ${why}; send the message again later`;
  return new AskfirstError(redactSecrets(message, secrets), { code: "model_rate_limited", cause });
}

/** "0.2 s", "37 s", "60 min": tenths only where they matter, minutes past two of them. */
export function formatDelay(ms: number): string {
  if (ms >= 120_000) return `${Math.ceil(ms / 60_000)} min`;
  return ms < 10_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.ceil(ms / 1000)} s`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
