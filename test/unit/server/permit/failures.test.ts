import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UsageError } from "../../../../src/errors.js";
import { openPermitBackend } from "../../../../src/server/backends/permit/index.js";
import type { Backend } from "../../../../src/server/backends/types.js";
import { BackendError } from "../../../../src/server/backends/types.js";
import { FakePermit, fakeIds } from "./fakePermit/server.js";

let fake: FakePermit;
let backend: Backend | undefined;
let sleeps: number[];

async function open(timeoutMs = 2000, extraEnv: Record<string, string> = {}): Promise<Backend> {
  backend = await openPermitBackend(fake.env(extraEnv), {
    timeoutMs,
    retry: { sleep: (ms) => Promise.resolve(void sleeps.push(ms)) },
  });
  return backend;
}

beforeEach(async () => {
  fake = await FakePermit.start();
  sleeps = [];
});

afterEach(async () => {
  await backend?.close();
  backend = undefined;
  await fake.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error("expected the call to fail");
  expect(error.message).not.toContain(fakeIds.apiKey);
  expect(error.message).not.toContain("\n");
  return error;
}

const count = (method: string, pattern: RegExp) =>
  fake.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
const ask = { resourceInstance: "pizza-palace", role: "child-can-order", reason: "hungry" };

describe("Permit backend failures", () => {
  it("refuses a wrong API key at start, naming the variable and Permit's message", async () => {
    fake.inject({ path: /api-key\/scope/, times: 1, status: 401, body: { message: "Invalid API key" } });
    const error = await failureOf(open());
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect(error.message).toMatch(/^PERMIT_API_KEY was refused by Permit .*HTTP 401: Invalid API key/);
  });

  it("reports a 401 later as an upstream failure of the named call, and retries nothing", async () => {
    const permit = await open();
    fake.inject({ path: /resource_instances$/, times: 1, status: 401, body: { message: "API key revoked" } });
    const error = await failureOf(permit.listResourceInstances("henry", { page: 1, perPage: 10 }));
    expect(error).toMatchObject({ code: "upstream" });
    expect(error.message).toBe('Permit call "list resource instances" failed with HTTP 401: API key revoked');
    expect(sleeps).toEqual([]);
  });

  it("names a 404 from a wrongly configured element, and files nothing", async () => {
    const permit = await open(2000, { ACCESS_ELEMENTS_CONFIG_ID: "no-such-element" });
    const error = await failureOf(permit.createAccessRequest("henry", ask));
    expect(error).toMatchObject({ code: "not_found" });
    expect(error.message).toContain("no such elements config");
    expect(fake.state.requests).toHaveLength(0);
  });

  it("waits as Permit asks after a 429, then succeeds with exactly one request filed", async () => {
    const permit = await open();
    fake.inject({
      method: "POST",
      path: /access_requests/,
      times: 2,
      status: 429,
      headers: { "Retry-After": "2" },
    });
    const created = await permit.createAccessRequest("henry", ask);
    expect(created.status).toBe("pending");
    expect(sleeps).toEqual([2000, 2000]);
    expect(count("POST", /access_requests/)).toBe(3);
    expect(fake.state.requests).toHaveLength(1);
  });

  it("retries a PDP 429 and a 500 on reads with growing waits, then gives up clearly", async () => {
    const permit = await open();
    fake.inject({ path: /\/pdp\/allowed/, times: 1, status: 429 });
    expect(await permit.check("joe", "read", "pizza-palace")).toBe(true);
    fake.inject({ path: /role_assignments/, times: 10, status: 500, body: { detail: "database is down" } });
    const error = await failureOf(permit.isReviewer("joe", "pizza-palace"));
    expect(error).toMatchObject({ code: "upstream" });
    expect(error.message).toContain('"list role assignments" failed with HTTP 500: database is down');
    expect(sleeps).toEqual([250, 250, 500, 1000]);
  });

  it("does not repeat a create that failed with a 500, since Permit may have filed it", async () => {
    const permit = await open();
    fake.inject({
      method: "POST",
      path: /access_requests/,
      times: 1,
      status: 500,
      body: { message: "oops" },
    });
    const error = await failureOf(permit.createAccessRequest("henry", ask));
    expect(error).toMatchObject({ code: "upstream" });
    expect(count("POST", /access_requests/)).toBe(1);
  });

  it("retries a decision after a 500 and reports it only once Permit shows it", async () => {
    const permit = await open();
    const request = await permit.createAccessRequest("henry", ask);
    fake.inject({ method: "PUT", path: /approve$/, times: 1, status: 503, body: { message: "busy" } });
    const approved = await permit.approveAccessRequest("joe", request.id);
    expect(approved).toMatchObject({ status: "approved", reviewer: "joe" });
    expect(count("PUT", /approve$/)).toBe(2);
  });

  it("gives up on a slow Permit or PDP after the timeout, as unavailable", async () => {
    const permit = await open(100);
    fake.inject({ path: /access_requests/, times: 10, status: 200, body: { data: [] }, delayMs: 400 });
    const slowApi = await failureOf(permit.listAccessRequests("henry", { page: 1, perPage: 10 }));
    expect(slowApi).toMatchObject({ code: "unavailable" });
    expect(slowApi.message).toMatch(
      /"list access requests" failed: no answer from 127\.0\.0\.1:\d+ within 100 ms/,
    );
    fake.inject({ path: /\/pdp\/allowed/, times: 10, status: 200, body: { allow: true }, delayMs: 400 });
    const slowPdp = await failureOf(permit.check("joe", "read", "pizza-palace"));
    expect(slowPdp).toMatchObject({ code: "unavailable" });
    expect(slowPdp.message).toContain('"check permission" failed: the PDP did not answer');
  });

  it("treats a login answered 200 with an error field as a failure, and sends nothing with no token", async () => {
    const permit = await open();
    const error_ = { error: "Tenant not found", error_code: 1002, redirect_url: "" };
    fake.inject({ path: /elements_login_as/, times: 1, status: 200, body: error_ });
    const error = await failureOf(
      permit.createOperationApproval("henry", {
        resourceInstance: "pizza-palace",
        operation: "order",
        reason: "r",
      }),
    );
    expect(error).toBeInstanceOf(BackendError);
    expect(error.message).toBe(
      'Permit call "log in to Elements as the acting user" failed: Tenant not found (error code 1002)',
    );
    expect(count("POST", /operation_approval/)).toBe(0);
  });

  it("never reports a success Permit did not confirm", async () => {
    const permit = await open();
    fake.inject({ method: "POST", path: /access_requests/, times: 1, status: 201, body: { ok: true } });
    const malformed = await failureOf(permit.createAccessRequest("henry", ask));
    expect(malformed).toMatchObject({ code: "upstream" });
    expect(malformed.message).toContain("not the documented shape");
    const request = await permit.createAccessRequest("henry", ask);
    const stillPending = { ...fake.state.view(fake.state.requests[0]!, false), status: "pending" };
    fake.inject({ method: "PUT", path: /approve$/, times: 1, status: 200, body: stillPending });
    const unconfirmed = await failureOf(permit.approveAccessRequest("joe", request.id));
    expect(unconfirmed.message).toContain("as pending, not approved");
  });

  it("keeps the API key and Elements tokens out of messages even when echoed, and writes nothing to stdout", async () => {
    const stdout = vi.spyOn(process.stdout, "write");
    const permit = await open();
    const echo = { message: `key ${fakeIds.apiKey} is not allowed here, nor permit_key_OTHERENV0123456` };
    fake.inject({ path: /resource_instances/, times: 1, status: 403, body: echo });
    const error = await failureOf(permit.getResourceInstance("henry", "pizza-palace"));
    expect(error.message).toContain("key [redacted] is not allowed here, nor permit_key_***");
    fake.inject({
      method: "POST",
      path: /operation_approval$/,
      times: 1,
      status: 400,
      isEchoingAuthorization: true,
    });
    const op = { resourceInstance: "pizza-palace", operation: "order", reason: "r" };
    const echoed = await failureOf(permit.createOperationApproval("henry", op));
    expect(echoed.message).toBe(
      'Permit call "create operation approval" failed with HTTP 400: rejected Bearer [redacted]',
    );
    fake.inject({ path: /\/pdp\/allowed/, times: 10, status: 500 });
    await failureOf(permit.check("joe", "read", "pizza-palace"));
    expect(stdout).not.toHaveBeenCalled();
    stdout.mockRestore();
  });
});
