import { z } from "zod";

/**
 * The value of the one `interrupt()` of human_review_node and the resume value that answers it. The shape
 * follows LangChain's human-in-the-loop request (`actionRequests` + `reviewConfigs`) and response
 * (`{ decisions }`, one per action, in order); `context` carries what a reviewer needs to see and what the
 * audit trail records.
 */

export const tierSchema = z.enum(["allow", "notify", "confirm", "deny"]);
export type Tier = z.infer<typeof tierSchema>;

export const decisionTypeSchema = z.enum(["approve", "edit", "reject"]);
export type DecisionType = z.infer<typeof decisionTypeSchema>;

const argsSchema = z.record(z.string(), z.unknown());

export const actionRequestSchema = z.object({
  name: z.string(),
  args: argsSchema,
  description: z.string(),
});
export type ActionRequest = z.infer<typeof actionRequestSchema>;

export const reviewConfigSchema = z.object({
  actionName: z.string(),
  allowedDecisions: z.array(decisionTypeSchema).min(1),
});
export type ReviewConfig = z.infer<typeof reviewConfigSchema>;

/** Per action, in the same order as actionRequests. */
export const actionContextSchema = z.object({
  toolCallId: z.string(),
  server: z.string(),
  tier: tierSchema,
  /** The policy rule that asked, e.g. "rule 3 (approve_*)" or "default". */
  rule: z.string(),
  message: z.string().optional(),
  /** The tool's JSON Schema for its arguments, so any reviewer can validate an edit before sending it. */
  inputSchema: z.record(z.string(), z.unknown()).optional(),
});
export type ActionContext = z.infer<typeof actionContextSchema>;

export const reviewRequestSchema = z.object({
  actionRequests: z.array(actionRequestSchema).min(1),
  reviewConfigs: z.array(reviewConfigSchema).min(1),
  context: z.object({
    actingUser: z.string(),
    actions: z.array(actionContextSchema).min(1),
    /** Epoch ms when the review was first asked for. */
    requestedAt: z.number(),
    /** Epoch ms after which the review counts as timed out; null for none. */
    deadline: z.number().nullable(),
  }),
});
export type ReviewRequest = z.infer<typeof reviewRequestSchema>;

export const approveDecisionSchema = z.object({
  type: z.literal("approve"),
  /** `always`: approve, and allow this tool without asking for the rest of the session. */
  grant: z.boolean().optional(),
});
export const editDecisionSchema = z.object({
  type: z.literal("edit"),
  editedAction: z.object({ name: z.string(), args: argsSchema }),
});
export const rejectDecisionSchema = z.object({
  type: z.literal("reject"),
  message: z.string().max(2000).optional(),
  /** Set when nobody answered in time: audited as `timed_out`, never as a person's rejection. */
  timedOut: z.boolean().optional(),
});
export const decisionSchema = z.discriminatedUnion("type", [
  approveDecisionSchema,
  editDecisionSchema,
  rejectDecisionSchema,
]);
export type Decision = z.infer<typeof decisionSchema>;

export const reviewResponseSchema = z.object({
  decisions: z.array(decisionSchema).min(1),
  /** Who answered; recorded apart from the acting user. */
  reviewer: z.string().min(1),
});
export type ReviewResponse = z.infer<typeof reviewResponseSchema>;

/**
 * The reason a review's signal aborts when someone else (another terminal or host) answered it: the reviewer
 * stops asking, and whatever it returns is not applied.
 */
export class ReviewTakenElsewhere extends Error {
  constructor(readonly by: string | null) {
    super(by ? `answered elsewhere by ${by}` : "answered elsewhere");
    this.name = "ReviewTakenElsewhere";
  }
}

/**
 * The seam between the graph's interrupt and whoever answers it (terminal, scripted answers, the queue).
 * Implementations must fail closed: no answer, end of input, Ctrl-C or a timeout reject.
 */
export interface Reviewer {
  readonly name: string;
  /** True for the stand-in used when no person can answer (no terminal, no answers file). */
  readonly nobody?: boolean;
  review(request: ReviewRequest, signal?: AbortSignal): Promise<ReviewResponse>;
}
