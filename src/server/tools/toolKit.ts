import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ShapeOutput, ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { describeError } from "../../errors.js";
import type { Backend, Page, ResourceInstance } from "../backends/types.js";
import { BackendError, requestStatuses } from "../backends/types.js";
import type { RequestView } from "./requestViews.js";

/**
 * What every tool gets: the backend, and the acting user bound to this session. No tool takes a user from
 * its arguments; `actor` is the only identity a tool ever passes to the backend.
 */
export interface ToolDeps {
  backend: Backend;
  actor: string;
}

// Limits keep one call's text small enough to store and show; the messages name what is accepted.
const text = (name: string, max: number) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`),
    })
    .trim()
    .min(1, { error: `${name} must not be empty` })
    .max(max, { error: `${name} must be at most ${max} characters` });

/** Input fields shared by the tools, named as in Permit's Access Request MCP. */
export const fields = {
  resourceInstance: text("resource_instance", 200).describe(
    "Key of the resource instance, e.g. pizza-palace; list_resource_instances shows the valid keys.",
  ),
  role: text("role", 100).describe("Role to ask for on the instance, e.g. child-can-order."),
  reason: text("reason", 1000).describe("Why you need it, in a sentence a reviewer can judge."),
  // Ids are worded by where they come from: each backend shapes them its own way (ar_... or a UUID).
  accessRequestId: text("access_request_id", 100).describe(
    "Id of an access request, exactly as list_access_requests shows it.",
  ),
  operationApprovalId: text("operation_approval_id", 100).describe(
    "Id of an operation approval, exactly as list_operation_approvals shows it.",
  ),
  // A blank comment means none: models often send "" for an optional field.
  reviewerComment: z
    .string({ error: "reviewer_comment must be a string" })
    .trim()
    .max(1000, { error: "reviewer_comment must be at most 1000 characters" })
    .transform((value) => value || undefined)
    .optional()
    .describe("Optional note from the reviewer to the requester."),
  status: z
    .enum(requestStatuses, { error: `status must be one of ${requestStatuses.join(", ")}` })
    .optional()
    .describe("Only requests in this status."),
  page: z
    .number({ error: "page must be a number" })
    .int({ error: "page must be a whole number" })
    .min(1, { error: "page must be 1 or more" })
    .max(10_000, { error: "page must be at most 10000" })
    .default(1)
    .describe("Page number, from 1."),
  perPage: z
    .number({ error: "per_page must be a number" })
    .int({ error: "per_page must be a whole number" })
    .min(1, { error: "per_page must be between 1 and 100" })
    .max(100, { error: "per_page must be between 1 and 100" })
    .default(20)
    .describe("Items per page, 1 to 100."),
  text,
};

/** The paging arguments of every list tool, last in its input schema. */
export const pageFields = { page: fields.page, per_page: fields.perPage };

export const pageOutput = { page: z.number(), perPage: z.number(), total: z.number() };

/** A tool that only reads: calling it again changes nothing. */
export const readsOnly: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/** A tool that adds or changes a record here (a request, a decision, an order); calling it again is not a no-op. */
export const changesState: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};

/** What a tool says about itself in tools/list. */
export interface ToolSpec<Input extends ZodRawShapeCompat> {
  name: string;
  title: string;
  description: string;
  inputSchema: Input;
  outputSchema: ZodRawShapeCompat;
  annotations: ToolAnnotations;
}

/** A successful result: text for the model to read, the same data (a shallow copy) as structuredContent. */
export function toolResult(message: string, structured: object): CallToolResult {
  return { content: [{ type: "text", text: message }], structuredContent: { ...structured } };
}

/**
 * An expected failure as an isError result: "<code>: <one line>". It carries no structuredContent, which
 * clients would otherwise check against the success schema.
 */
export function toolError(error: unknown): CallToolResult {
  const message =
    error instanceof BackendError ? `${error.code}: ${error.message}` : `error: ${describeError(error)}`;
  return { content: [{ type: "text", text: message }], isError: true };
}

/** Runs a tool body; any BackendError (or other failure) becomes an isError result the model can act on. */
export async function runTool(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return toolError(error);
  }
}

/** Registers a tool whose body runs under runTool, so every failure reaches the model as an isError result. */
export function addTool<Input extends ZodRawShapeCompat>(
  server: McpServer,
  spec: ToolSpec<Input>,
  run: (args: ShapeOutput<Input>) => Promise<CallToolResult>,
): void {
  const { name, ...config } = spec;
  // The SDK has checked the arguments against spec.inputSchema; its types cannot say so for a generic shape.
  server.registerTool<ZodRawShapeCompat, ZodRawShapeCompat>(name, config, (args) =>
    runTool(() => run(args as ShapeOutput<Input>)),
  );
}

/**
 * A tool that creates, decides or cancels one request and answers with it: `say` gives the text, and the
 * request itself is the structured result.
 */
export function addRequestTool<Input extends ZodRawShapeCompat, T extends object>(
  server: McpServer,
  view: RequestView<T>,
  spec: Omit<ToolSpec<Input>, "outputSchema"> & {
    act: (args: ShapeOutput<Input>) => Promise<T>;
    say: (item: T) => string;
  },
): void {
  const { act, say, ...rest } = spec;
  addTool(server, { ...rest, outputSchema: view.shape.shape }, async (args) => {
    const item = await act(args);
    return toolResult(say(item), item);
  });
}

/** A tool that lists one page of requests: a summary line, then one line per request. */
export function addListTool<Input extends ZodRawShapeCompat, T>(
  server: McpServer,
  view: RequestView<T>,
  spec: Omit<ToolSpec<Input>, "outputSchema"> & { list: (args: ShapeOutput<Input>) => Promise<Page<T>> },
): void {
  const { list, ...rest } = spec;
  const outputSchema = { items: z.array(view.shape), ...pageOutput };
  addTool(server, { ...rest, outputSchema }, async (args) => {
    const page = await list(args);
    const lines = page.items.map((item) => `- ${view.describe(item)}`);
    return toolResult([pageSummary(page, view.noun), ...lines].join("\n"), page);
  });
}

/** The instance's `name` attribute when it has one, else its key. */
export function displayName(instance: ResourceInstance): string {
  const name = instance.attributes.name;
  return typeof name === "string" ? name : instance.key;
}

export function pageSummary(page: Page<unknown>, noun: string): string {
  if (page.total === 0) return `No ${noun}s found.`;
  const first = (page.page - 1) * page.perPage + 1;
  const last = first + page.items.length - 1;
  const more = last < page.total ? ` Ask for page ${page.page + 1} to see more.` : "";
  if (page.items.length === 0) return `No ${noun}s on page ${page.page}; there are ${page.total} in all.`;
  return `${noun}s ${first}-${last} of ${page.total}:${more}`;
}

export function pageRequest(args: { page: number; per_page: number }): { page: number; perPage: number } {
  return { page: args.page, perPage: args.per_page };
}
