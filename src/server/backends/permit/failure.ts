import { isRedactable, redactSecrets } from "../../../errors.js";
import { maskText } from "../../../review/mask.js";
import { BackendError, type BackendErrorCode } from "../types.js";

/**
 * One failed call to Permit, before it becomes a BackendError: which call, the HTTP status when Permit
 * answered, Permit's own message, and whether trying again could help.
 */
export interface CallFailure {
  operation: string;
  status?: number;
  detail: string;
  /** Permit rejected it before doing anything (429), or the failure is transient (5xx, timeout). */
  isTransient: boolean;
  /** Whether the request may have been carried out even though it failed (a timeout, a 5xx). */
  mayHaveApplied: boolean;
  /** How long Permit asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** Overrides the code read from the status, for failures that have none (a refused login). */
  code?: BackendErrorCode;
}

export class PermitCallError extends Error {
  readonly failure: CallFailure;

  constructor(failure: CallFailure, options?: { cause?: unknown }) {
    super(describeFailure(failure), options);
    this.name = "PermitCallError";
    this.failure = failure;
  }
}

export function describeFailure(failure: CallFailure): string {
  const answer = failure.status === undefined ? "" : ` with HTTP ${failure.status}`;
  return `Permit call "${failure.operation}" failed${answer}: ${failure.detail}`;
}

/** The backend error code for a failed call: how a tool should explain it to the model. */
export function codeOf(failure: CallFailure): BackendErrorCode {
  const { status } = failure;
  if (failure.code) return failure.code;
  if (status === undefined) return failure.isTransient ? "unavailable" : "upstream";
  if (status === 429) return "unavailable";
  if (status === 404) return "not_found";
  if (status === 403) return "forbidden";
  if (status === 409) return "conflict";
  if (status === 400 || status === 422) return "invalid";
  return "upstream";
}

export function toBackendError(error: PermitCallError): BackendError {
  return new BackendError(codeOf(error.failure), error.message, { cause: error });
}

export function isStatus(error: unknown, ...statuses: number[]): boolean {
  return (
    error instanceof PermitCallError &&
    error.failure.status !== undefined &&
    statuses.includes(error.failure.status)
  );
}

/** Permit's message from an error body: `message`, `detail` or `title`, else the text itself. */
export function permitMessage(body: unknown, text: string): string {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    for (const field of ["message", "detail", "title", "error"]) {
      const value = record[field];
      if (typeof value === "string" && value.trim()) return value;
      if (value !== undefined && value !== null && typeof value === "object") return JSON.stringify(value);
    }
  }
  return text.trim() ? text : "(empty answer)";
}

/**
 * Makes a message safe to show: every registered secret replaced, one line, bounded. The secrets are the
 * API key and any Elements token received; they must never reach a log, an error or an audit record.
 * Any other secret-shaped text (another key, a token Permit echoes) is masked as everywhere else.
 */
export class Redactor {
  private readonly permanent = new Set<string>();
  // Elements tokens arrive with every login; only recent ones can still appear in an answer.
  private readonly recent: string[] = [];

  /** A secret kept for the life of the process (the API key). */
  add(secret: string): void {
    if (isRedactable(secret)) this.permanent.add(secret);
  }

  /** A short-lived secret (an Elements token); the oldest is forgotten past 100. */
  addRecent(secret: string): void {
    if (!isRedactable(secret)) return;
    this.recent.push(secret);
    if (this.recent.length > 100) this.recent.shift();
  }

  clean(text: string, limit = 500): string {
    const cleaned = maskText(redactSecrets(text, [...this.permanent, ...this.recent]))
      .replace(/\s+/g, " ")
      .trim();
    return cleaned.length > limit ? `${cleaned.slice(0, limit)}…` : cleaned;
  }
}
