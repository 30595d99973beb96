import type { ToolCall } from "@langchain/core/messages/tool";
import { z } from "zod";
import { keptOrBuilt } from "../bounded.js";
import { checkArgs } from "../review/argsSchema.js";
import {
  reviewResponseSchema,
  type ActionContext,
  type ReviewRequest,
  type ReviewResponse,
} from "../review/decisions.js";
import type { Classification } from "../review/policy.js";

/** A call the policy sent to a person, with what the reviewer must see. */
export interface ConfirmCall {
  call: ToolCall & { id: string };
  server: string;
  classification: Classification;
  inputSchema: Record<string, unknown>;
  description: string;
}

/** The resume value the graph accepts: the shared response plus the interrupt it answers. */
const resumeSchema = reviewResponseSchema.extend({ interruptId: z.string().optional() });
export type ResumeValue = z.infer<typeof resumeSchema>;

/**
 * The review a run was started to answer, passed in the run's `configurable` under `answeringKey`: the
 * review node, re-running from its top, checks that it would ask about exactly these calls again. A process
 * whose policy (or tools) sorts them otherwise must not apply the answer (see humanReview.ts).
 */
export interface Answering {
  /** The calls the review asked about, in order (the request's `context.actions`). */
  toolCallIds: string[];
  /** The rule each of them was asked under, as the reviewer's card showed it; the audit records these. */
  rules: string[];
}

export const answeringKey = "askfirst_answering";

/** One interrupt value for every call of a message that needs a person (LangChain's HITL shape). */
export function buildReviewRequest(
  calls: ConfirmCall[],
  actingUser: string,
  requestedAt: number,
  timeoutMs: number | null,
): ReviewRequest {
  return {
    actionRequests: calls.map(({ call, description }) => ({ name: call.name, args: call.args, description })),
    reviewConfigs: calls.map(({ call }) => ({
      actionName: call.name,
      allowedDecisions: ["approve", "edit", "reject"],
    })),
    context: {
      actingUser,
      actions: calls.map(({ call, server, classification, inputSchema }): ActionContext => {
        const action: ActionContext = {
          toolCallId: call.id,
          server,
          tier: classification.tier,
          rule: classification.rule,
          inputSchema,
        };
        if (classification.message !== undefined) action.message = classification.message;
        return action;
      }),
      requestedAt,
      deadline: timeoutMs === null ? null : requestedAt + timeoutMs,
    },
  };
}

/** What a resume value is checked against: per reviewed call, in order. */
interface RequestShape {
  names: string[];
  allowed: string[][];
  inputSchemas: (Record<string, unknown> | undefined)[];
}

type ResponseSchema = ReturnType<typeof buildResponseSchema>;

/**
 * Schemas already built, by request shape. zod compiles a schema on its first parse, and LangGraph turns
 * the schema of every interrupt into JSON Schema unless it has seen that schema object before: built anew
 * each time, this cost ~2 ms per review. The shapes repeat (the same tools are reviewed again and again).
 */
const schemasByShape = new Map<string, ResponseSchema>();
const keptSchemas = 200;

/**
 * The zod schema a resume value must pass for this request: one decision per action, in order, of an
 * allowed type; an edit keeps the tool and its new arguments fit the tool's schema. A value that fails is
 * refused by `interrupt()` and the review stays pending.
 */
export function responseSchemaFor(request: ReviewRequest): ResponseSchema {
  const shape: RequestShape = {
    names: request.actionRequests.map((action) => action.name),
    allowed: request.actionRequests.map((_, index) => request.reviewConfigs[index]?.allowedDecisions ?? []),
    inputSchemas: request.actionRequests.map((_, index) => request.context.actions[index]?.inputSchema),
  };
  return keptOrBuilt(schemasByShape, JSON.stringify(shape), () => buildResponseSchema(shape), keptSchemas);
}

function buildResponseSchema(shape: RequestShape) {
  return resumeSchema.superRefine((response, ctx) => {
    const expected = shape.names.length;
    if (response.decisions.length !== expected) {
      ctx.addIssue({
        code: "custom",
        path: ["decisions"],
        message: `expected ${expected} decision(s), one per reviewed call, got ${response.decisions.length}`,
      });
      return;
    }
    response.decisions.forEach((decision, index) => {
      const name = shape.names[index];
      const allowed = shape.allowed[index] ?? [];
      const path = ["decisions", index];
      if (name === undefined) return;
      if (!allowed.includes(decision.type))
        ctx.addIssue({ code: "custom", path, message: `${decision.type} is not allowed for ${name}` });
      if (decision.type !== "edit") return;
      if (decision.editedAction.name !== name)
        ctx.addIssue({
          code: "custom",
          path,
          message: `an edit may change arguments, not the tool (${name})`,
        });
      const problem = checkArgs(shape.inputSchemas[index], decision.editedAction.args);
      if (problem !== null) ctx.addIssue({ code: "custom", path, message: `edited arguments: ${problem}` });
    });
  });
}

/** One line naming what is wrong with a resume value, or null when it fits the request. */
export function checkResponse(request: ReviewRequest, response: ReviewResponse): string | null {
  const result = responseSchemaFor(request).safeParse(response);
  if (result.success) return null;
  return result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(answer)"}: ${issue.message}`)
    .join("; ");
}
