// What a session is opened with and what it offers (session.ts): the contract the chat and review commands use.
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage, StoredMessage } from "@langchain/core/messages";
import type { Toolbox } from "../mcp/connect.js";
import type { AnswerGivenElsewhere } from "./answeredElsewhere.js";
import type { Reviewer, ReviewResponse } from "../review/decisions.js";
import type { Policy } from "../review/policy.js";
import type { PendingReview, Store } from "../store/types.js";
import type { CallOutcome } from "./state.js";

export interface SessionOptions {
  store: Store;
  model: BaseChatModel;
  toolbox: Toolbox;
  policy: Policy;
  /** Who answers reviews when a run is told to ask; fails closed by contract. */
  reviewer?: Reviewer;
  clock?: () => number;
  /** Deadline recorded with each review; null for none. */
  reviewTimeoutSeconds?: number | null;
  windowSize?: number;
  contextTokens?: number;
  /** The model client's secrets (its API key): never in an error the model raises, shown or checkpointed. */
  modelSecrets?: string[];
  /** LangSmith tracing asked for in the environment: keeps LangChain's stock run context (runContext.ts). */
  langSmithTracing?: boolean;
  /** How often a review asked here looks for an answer given elsewhere (default 1 s). */
  queueWatchMs?: number;
}

/** `ask`: put the review in the queue and ask the reviewer now; `queue`: leave it pending and return. */
export type OnReview = "ask" | "queue";

export interface TurnResult {
  status: "done" | "pending";
  /** What the agent said, in order. */
  replies: string[];
  /** Every message this turn produced, as stored in the transcript. */
  messages: StoredMessage[];
  /** Every tool call settled this turn: reviewed, refused, or run. */
  calls: CallOutcome[];
  /** The review left waiting, when status is "pending". */
  review: PendingReview | null;
  /**
   * Set when the review this turn asked about was answered elsewhere (another terminal or host) while it
   * was asked here: who answered it, each call's decision, and what the thread did after it there.
   */
  elsewhere?: AnswerGivenElsewhere & { messages: BaseMessage[] };
}

/**
 * `signal` cancels the turn: the run stops where it is (a tool call under way is cancelled, and may still
 * have taken effect) and the call rejects with TurnCancelled (AskfirstError code "cancelled"). A review it paused on stays
 * waiting; calls it left without a result get one with the next input.
 */
export interface TurnOptions {
  onReview?: OnReview;
  signal?: AbortSignal;
}

export interface SendOptions extends TurnOptions {
  actingUser: string;
}

export interface ResumeOptions extends TurnOptions {
  interruptId?: string;
}

export interface Session {
  send(threadId: string, text: string, options: SendOptions): Promise<TurnResult>;
  /**
   * Applies an answer to the thread's pending review (exactly once across reviewers) and runs on.
   * `interruptId`: the review the answer was given for. If the thread has moved on to another review
   * meanwhile (someone else answered), the answer is refused rather than applied to a review never shown.
   */
  resume(threadId: string, response: ReviewResponse, options?: ResumeOptions): Promise<TurnResult>;
  /**
   * Asks the session's reviewer about `review`, which the thread waits on (from pendingReview), as a review
   * a run pauses on is asked: its card closes if the review is answered elsewhere (the result then says
   * who answered, `elsewhere`), and the answer given here is applied and the run goes on.
   */
  askWaiting(threadId: string, review: PendingReview, options?: TurnOptions): Promise<TurnResult>;
  /** The review this thread waits on, read from the thread's checkpoint; null when none. */
  pendingReview(threadId: string): Promise<PendingReview | null>;
  /**
   * The whole conversation of the thread, from the transcript (made whole first, see readThread); with
   * `from` (a message id), from that message on.
   */
  history(threadId: string, from?: string): Promise<BaseMessage[]>;
  /** The acting user the thread last ran as, if it exists. */
  actingUser(threadId: string): Promise<string | null>;
}
