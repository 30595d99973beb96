import type { ToolCall } from "@langchain/core/messages/tool";
import { z } from "zod";
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
export const resumeSchema = reviewResponseSchema.extend({ interruptId: z.string().optional() });
export type ResumeValue = z.infer<typeof resumeSchema>;

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

/**
 * The zod schema a resume value must pass for this request: one decision per action, in order, of an
 * allowed type; an edit keeps the tool and its new arguments fit the tool's schema. A value that fails is
 * refused by `interrupt()` and the review stays pending.
 */
export function responseSchemaFor(request: ReviewRequest) {
  return resumeSchema.superRefine((response, ctx) => {
    const expected = request.actionRequests.length;
    if (response.decisions.length !== expected) {
      ctx.addIssue({
        code: "custom",
        path: ["decisions"],
        message: `expected ${expected} decision(s), one per reviewed call, got ${response.decisions.length}`,
      });
      return;
    }
    response.decisions.forEach((decision, index) => {
      const action = request.actionRequests[index];
      const allowed = request.reviewConfigs[index]?.allowedDecisions ?? [];
      const path = ["decisions", index];
      if (action === undefined) return;
      if (!allowed.includes(decision.type))
        ctx.addIssue({ code: "custom", path, message: `${decision.type} is not allowed for ${action.name}` });
      if (decision.type !== "edit") return;
      if (decision.editedAction.name !== action.name)
        ctx.addIssue({
          code: "custom",
          path,
          message: `an edit may change arguments, not the tool (${action.name})`,
        });
      const problem = checkArgs(request.context.actions[index]?.inputSchema, decision.editedAction.args);
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
