import { PermitCallError, permitMessage, type CallFailure, type Redactor } from "./failure.js";
import { withRetries, type RetryPolicy } from "./retry.js";

export interface HttpOptions {
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
  retry: RetryPolicy;
  redactor: Redactor;
}

export interface CallSpec {
  /** What the call is for, named in every error, e.g. "approve access request". */
  operation: string;
  method: "GET" | "POST" | "PUT" | "PATCH";
  /** Path segments; each is escaped as one segment. */
  path: string[];
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A bearer token other than the API key (an Elements token). */
  token?: string;
  /** Safe to repeat after a 5xx or a timeout. Defaults to true for GET and PUT. */
  isIdempotent?: boolean;
}

/**
 * The Permit REST calls the SDK does not cover (facts access requests, elements operation approvals, the
 * Elements login): JSON over fetch with a bearer token, a timeout per attempt, bounded retries, and errors
 * that name the call and carry Permit's message with every secret removed.
 */
export class PermitHttp {
  constructor(private readonly options: HttpOptions) {}

  async call(spec: CallSpec): Promise<unknown> {
    const url = this.urlOf(spec);
    const isIdempotent = spec.isIdempotent ?? (spec.method === "GET" || spec.method === "PUT");
    return withRetries(this.options.retry, isIdempotent, () => this.attempt(spec, url));
  }

  private urlOf(spec: CallSpec): string {
    for (const segment of spec.path)
      if (segment === "" || segment === "." || segment === ".." || /[/\\]/.test(segment))
        throw new PermitCallError({
          operation: spec.operation,
          detail: `"${segment}" cannot be used as a key or id in a request path; nothing was sent`,
          isTransient: false,
          mayHaveApplied: false,
          code: "invalid",
        });
    const url = new URL(`${this.options.apiUrl}/${spec.path.map(encodeURIComponent).join("/")}`);
    for (const [name, value] of Object.entries(spec.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url.toString();
  }

  private async attempt(spec: CallSpec, url: string): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: spec.method,
        headers: this.headersOf(spec),
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        redirect: "manual",
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      throw new PermitCallError(this.networkFailure(spec, url, error, controller.signal.aborted), {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
    return this.readAnswer(spec, response, text);
  }

  private headersOf(spec: CallSpec): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${spec.token ?? this.options.apiKey}`,
      Accept: "application/json",
    };
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    return headers;
  }

  private networkFailure(spec: CallSpec, url: string, error: unknown, timedOut: boolean): CallFailure {
    const host = new URL(url).host;
    if (timedOut)
      return {
        operation: spec.operation,
        detail: `no answer from ${host} within ${this.options.timeoutMs} ms`,
        isTransient: true,
        mayHaveApplied: true,
      };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const refused = cause?.code === "ECONNREFUSED";
    return {
      operation: spec.operation,
      detail: `could not reach ${host} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
      isTransient: true,
      mayHaveApplied: !refused,
    };
  }

  private readAnswer(spec: CallSpec, response: Response, text: string): unknown {
    const body = parseJson(text);
    if (response.status >= 200 && response.status < 300) {
      if (body === invalidJson)
        throw new PermitCallError({
          operation: spec.operation,
          status: response.status,
          detail: `the answer is not JSON: ${this.options.redactor.clean(text, 200)}`,
          isTransient: false,
          mayHaveApplied: true,
        });
      return body;
    }
    const status = response.status;
    throw new PermitCallError({
      operation: spec.operation,
      status,
      detail: this.options.redactor.clean(permitMessage(body, text)),
      isTransient: status === 429 || status >= 500,
      mayHaveApplied: status >= 500,
      retryAfterMs: retryAfterOf(response.headers.get("retry-after")),
    });
  }
}

const invalidJson = Symbol("invalid JSON");

function parseJson(text: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalidJson;
  }
}

/** Permit sends Retry-After in seconds; anything else is ignored in favour of the backoff. */
function retryAfterOf(header: string | null): number | undefined {
  if (header === null || !/^\d+(\.\d+)?$/.test(header.trim())) return undefined;
  return Number(header) * 1000;
}
