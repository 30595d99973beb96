import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FakePermitState } from "./state.js";
import { routeElements, routeFacts, type Answer, type RouteContext } from "./routes.js";

/** One request the fake received, as the tests check it. */
export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

/** A canned answer for the next requests that match, before the fake's own routing. */
export interface Injection {
  method?: string;
  path: RegExp;
  times: number;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer only after this long (a slow Permit). */
  delayMs?: number;
  /** After the delay, answer (and apply the request) as the fake would have: a slow but working Permit. */
  isPassingThrough?: boolean;
  /** Put the request's Authorization header into the message, as a careless server might. */
  isEchoingAuthorization?: boolean;
}

export const fakeIds = {
  apiKey: "permit_key_FAKE0123456789SECRET",
  project: "askfirst",
  env: "dev",
  accessConfig: "restaurant-requests",
  operationConfig: "dish-requests",
  tenant: "default",
} as const;

/**
 * A stand-in for Permit's API and a PDP on 127.0.0.1, speaking the documented endpoints the Permit
 * backend uses, stateful enough to play the family demo. It checks the bearer token of every call: the
 * API key for the API and PDP, an Elements token (from elements_login_as) for the elements API.
 */
export class FakePermit {
  readonly state = FakePermitState.fromDemoSeed();
  readonly requests: Recorded[] = [];
  private readonly injections: Injection[] = [];
  private readonly server: Server;
  private url = "";

  private constructor() {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
  }

  static async start(): Promise<FakePermit> {
    const fake = new FakePermit();
    await new Promise<void>((done) => fake.server.listen(0, "127.0.0.1", done));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The environment a backend needs to talk to this fake. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PERMIT_API_KEY: fakeIds.apiKey,
      PERMIT_API_URL: this.url,
      PERMIT_PDP_URL: `${this.url}/pdp`,
      PROJECT_ID: fakeIds.project,
      ENV_ID: fakeIds.env,
      RESOURCE_KEY: this.state.resource,
      ACCESS_ELEMENTS_CONFIG_ID: fakeIds.accessConfig,
      OPERATION_ELEMENTS_CONFIG_ID: fakeIds.operationConfig,
      // The User Management element's assignable role, as the README sets Permit up for the demo.
      REQUESTABLE_ROLES: "child-can-order",
      ...extra,
    };
  }

  inject(injection: Injection): void {
    this.injections.push(injection);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const text = await readBody(request);
    const recorded: Recorded = {
      method: request.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    this.requests.push(recorded);
    const injected = this.takeInjection(recorded);
    if (injected?.delayMs) await new Promise((done) => setTimeout(done, injected.delayMs));
    if (response.destroyed) return;
    const echo = injected?.isEchoingAuthorization
      ? { message: `rejected ${recorded.authorization}` }
      : undefined;
    const answer =
      injected && !injected.isPassingThrough
        ? { status: injected.status, body: echo ?? injected.body ?? {}, headers: injected.headers }
        : this.route(recorded);
    response.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
    response.end(JSON.stringify(answer.body));
  }

  private takeInjection(recorded: Recorded): Injection | undefined {
    const found = this.injections.find(
      (injection) =>
        injection.times > 0 &&
        injection.path.test(recorded.path) &&
        (injection.method === undefined || injection.method === recorded.method),
    );
    if (found) found.times -= 1;
    return found;
  }

  private route(recorded: Recorded): Answer {
    const segments = recorded.path.split("/").filter(Boolean).map(decodeURIComponent);
    const ctx: RouteContext = { state: this.state, recorded, segments };
    const isApiKey = recorded.authorization === `Bearer ${fakeIds.apiKey}`;
    if (segments[1] === "elements") return routeElements(ctx, this.elementsUser(recorded));
    if (!isApiKey) return { status: 401, body: { error_code: "UNAUTHORIZED", message: "invalid API key" } };
    if (recorded.path === "/pdp/allowed") return this.allowed(recorded.body);
    if (recorded.path === "/v2/api-key/scope")
      return {
        status: 200,
        body: { organization_id: "org-id", project_id: "proj-id", environment_id: "env-id" },
      };
    if (recorded.path === "/v2/auth/elements_login_as") return this.login(recorded.body);
    return routeFacts(ctx);
  }

  private allowed(body: unknown): Answer {
    const input = body as { user: { key: string }; action: string; resource: { key: string } };
    return {
      status: 200,
      body: { allow: this.state.allows(input.user.key, input.action, input.resource.key) },
    };
  }

  // Permit answers a failed login with HTTP 200 and the reason in `error`.
  private login(body: unknown): Answer {
    const { user_id: userId, tenant_id: tenant } = body as { user_id: string; tenant_id: string };
    if (!this.state.user(userId) || tenant !== fakeIds.tenant)
      return { status: 200, body: { error: "User not found", error_code: 1001, redirect_url: "" } };
    const token = `element_token_${randomUUID()}`;
    this.state.tokens.set(token, userId);
    return { status: 200, body: { token, redirect_url: `${this.url}/login?token=${token}` } };
  }

  private elementsUser(recorded: Recorded): string | undefined {
    const token = recorded.authorization?.replace(/^Bearer /, "") ?? "";
    return this.state.tokens.get(token);
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
    request.on("error", fail);
  });
}
