import type { Recorded } from "./server.js";
import { fakeIds } from "./server.js";
import type { FakePermitState, FakeRequest, FakeUser } from "./state.js";

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  state: FakePermitState;
  recorded: Recorded;
  segments: string[];
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const fail = (status: number, message: string): Answer => ({
  status,
  body: { error_code: status === 404 ? "NOT_FOUND" : "BAD_REQUEST", message },
});

function isOurEnvironment(segments: string[]): boolean {
  return (
    [fakeIds.project, "proj-id"].includes(segments[2] as never) &&
    [fakeIds.env, "env-id"].includes(segments[3] as never)
  );
}

/** /v2/facts/... and /v2/schema/..., called with the API key. */
export function routeFacts(ctx: RouteContext): Answer {
  const { segments, recorded, state } = ctx;
  if (!isOurEnvironment(segments)) return fail(404, "no such project or environment");
  const [, api, , , collection, id] = segments;
  if (api === "schema" && collection === "resources" && segments[6] === "roles")
    return ok(
      Object.entries(state.roles).map(([key, permissions]) => ({
        key,
        id: state.idOf("role", key),
        name: key,
        permissions,
      })),
    );
  if (api !== "facts") return fail(404, "no such route");
  if (collection === "resource_instances") return instances(state, recorded, id);
  if (collection === "users" && id !== undefined) return users(state, recorded, id);
  if (collection === "role_assignments" && recorded.method === "GET") return roleAssignments(state, recorded);
  if (collection === "access_requests") return accessRequests(ctx);
  return fail(404, "no such route");
}

function instances(state: FakePermitState, recorded: Recorded, id?: string): Answer {
  const view = (key: string) => ({
    key,
    id: state.idOf("instance", key),
    resource: state.resource,
    tenant: fakeIds.tenant,
    attributes: state.instances.get(key),
  });
  if (id === undefined) {
    const page = Number(recorded.query.page ?? 1);
    const perPage = Number(recorded.query.per_page ?? 30);
    const keys = [...state.instances.keys()].slice((page - 1) * perPage, page * perPage);
    return ok(keys.map(view));
  }
  const key = id.startsWith(`${state.resource}:`)
    ? id.slice(state.resource.length + 1)
    : (state.keyOfId("instance", id) ?? id);
  return state.instances.has(key) ? ok(view(key)) : fail(404, `resource instance ${id} not found`);
}

function users(state: FakePermitState, recorded: Recorded, id: string): Answer {
  const user = state.user(id);
  if (!user) return fail(404, `user ${id} not found`);
  if (recorded.method === "PATCH") {
    const { attributes } = recorded.body as { attributes?: Record<string, unknown> };
    if (attributes) user.attributes = attributes;
  }
  return ok({ ...user, organization_id: "org-id", project_id: "proj-id", environment_id: "env-id" });
}

function roleAssignments(state: FakePermitState, recorded: Recorded): Answer {
  const { user, role, resource_instance: instance } = recorded.query;
  const prefix = `${state.resource}:`;
  const found = state.assignments.filter(
    (assignment) =>
      (user === undefined || assignment.user === user) &&
      (role === undefined || assignment.role === role) &&
      (instance === undefined || `${prefix}${assignment.instance}` === instance),
  );
  const page = Number(recorded.query.page ?? 1);
  const perPage = Number(recorded.query.per_page ?? 30);
  return ok(
    found.slice((page - 1) * perPage, page * perPage).map((assignment) => ({
      user: assignment.user,
      role: assignment.role,
      tenant: fakeIds.tenant,
      resource_instance: `${prefix}${assignment.instance}`,
    })),
  );
}

/** /v2/facts/{p}/{e}/access_requests/{config}/user/{user}/tenant/{tenant}[/{id}[/{decision}]] */
function accessRequests(ctx: RouteContext): Answer {
  const [, , , , , config, userWord, userKey, tenantWord, tenant, id, decision] = ctx.segments;
  if (config !== fakeIds.accessConfig || userWord !== "user" || tenantWord !== "tenant")
    return fail(404, "no such elements config");
  const user = ctx.state.user(userKey ?? "");
  if (!user || tenant !== fakeIds.tenant) return fail(404, `user ${userKey} not found in tenant ${tenant}`);
  return requestRoutes(ctx, "access", user, id, decision);
}

/** /v2/elements/{p}/{e}/config/{config}/operation_approval[/{id}[/{decision}]], with an Elements token. */
export function routeElements(ctx: RouteContext, tokenUser: string | undefined): Answer {
  if (tokenUser === undefined) return { status: 401, body: { message: "missing or invalid Elements token" } };
  const [, , , , configWord, config, collection, id, decision] = ctx.segments;
  if (
    !isOurEnvironment(ctx.segments) ||
    configWord !== "config" ||
    config !== fakeIds.operationConfig ||
    collection !== "operation_approval"
  )
    return fail(404, "no such elements config");
  const user = ctx.state.user(tokenUser);
  return user ? requestRoutes(ctx, "operation", user, id, decision) : fail(404, "user not found");
}

function requestRoutes(
  ctx: RouteContext,
  kind: FakeRequest["kind"],
  user: FakeUser,
  id?: string,
  decision?: string,
): Answer {
  const { state, recorded } = ctx;
  if (id === undefined && recorded.method === "POST") {
    const details = (recorded.body as { access_request_details?: Record<string, string> })
      .access_request_details;
    if (!details?.resource_instance || !state.instances.has(details.resource_instance))
      return fail(422, "access_request_details.resource_instance: unknown resource instance");
    return ok(state.view(state.createRequest(kind, user, recorded.body), false));
  }
  if (id === undefined) return listRequests(state, recorded, kind, user);
  const request = state.requests.find((item) => item.id === id && item.kind === kind);
  if (!request || !state.canSee(user, request)) return fail(404, `request ${id} not found`);
  if (decision === undefined) return ok(state.view(request, false));
  return decide(state, recorded, request, user, decision);
}

function decide(
  state: FakePermitState,
  recorded: Recorded,
  request: FakeRequest,
  user: FakeUser,
  decision: string,
): Answer {
  if (recorded.method !== "PUT") return fail(405, "method not allowed");
  if (decision === "cancel") {
    // Permit documents no body for a cancel; refusing one proves the backend sends none.
    if (recorded.body !== undefined) return fail(422, "a cancel takes no request body");
    if (request.requesting_user_id !== user.id) return fail(403, "only the requester may cancel");
  } else if (!["approve", "deny"].includes(decision)) return fail(404, "no such route");
  else if (!state.reviews(user.key, request) || request.requesting_user_id === user.id)
    return fail(403, "user may not review this request");
  if (request.status !== "pending") return fail(400, `request is already ${request.status}`);
  if (decision === "cancel") {
    request.status = "canceled";
    request.updated_at = state.now();
  } else {
    const { reviewer_comment: comment } = (recorded.body ?? {}) as { reviewer_comment?: string };
    state.decide(request, user, decision, comment);
  }
  return ok(state.view(request, false));
}

function listRequests(
  state: FakePermitState,
  recorded: Recorded,
  kind: FakeRequest["kind"],
  user: FakeUser,
): Answer {
  const { query } = recorded;
  const instance = kind === "access" ? query.resource_instance_id : query.resource_instance;
  const found = state.requests.filter(
    (request) =>
      request.kind === kind &&
      state.canSee(user, request) &&
      (query.status === undefined || request.status === query.status) &&
      (query.role === undefined || request.access_request_details.role === query.role) &&
      (instance === undefined || request.access_request_details.resource_instance === instance),
  );
  const page = Number(query.page ?? 1);
  const perPage = Number(query.per_page ?? 30);
  const data = found.slice((page - 1) * perPage, page * perPage).map((request) => state.view(request, true));
  return ok({ data, total_count: found.length, page_count: Math.max(1, Math.ceil(found.length / perPage)) });
}
