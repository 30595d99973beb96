import {
  HumanMessage,
  mapStoredMessagesToChatMessages,
  type BaseMessage,
  type StoredMessage,
} from "@langchain/core/messages";
import { Command } from "@langchain/langgraph";
import { AskfirstError, TurnCancelled } from "../errors.js";
import type { ReviewRequest, ReviewResponse } from "../review/decisions.js";
import { isExpired, timedOutResponse } from "../store/deadlines.js";
import type { CheckpointHeads } from "../store/heads.js";
import { fresh, toQueued } from "../store/queueing.js";
import type { PendingReview } from "../store/types.js";
import { askingMessageId, askWatched, defaultQueueWatchMs, messagesAfter } from "./answeredElsewhere.js";
import { buildAgentGraph, type AgentGraph } from "./graph.js";
import { newMessageId, toStored } from "./messages.js";
import { closeCancelledRequest, noteCancelledRequest } from "./cancelledRequest.js";
import { closeStoppedCalls } from "./nodes/startedBefore.js";
import { checkResponse, type Answering } from "./reviewRequest.js";
import { useLeanRunContext } from "./runContext.js";
import { emptyRunOutput, runGraph, type RunOutput } from "./runOutput.js";
import type {
  OnReview,
  ResumeOptions,
  SendOptions,
  Session,
  SessionOptions,
  TurnOptions,
  TurnResult,
} from "./sessionTypes.js";
import {
  giveBack,
  noReview,
  pendingReview,
  readThread,
  requeue,
  reviewTaken,
  snapshotOf,
  windowOf,
  type ThreadState,
} from "./threadState.js";
import { withCallsBefore } from "./turnFailed.js";

/** The session runner: one graph over one store, driving turns and reviews for any number of threads. */
export function openSession(options: SessionOptions): Session {
  const clock = options.clock ?? Date.now;
  const timeoutSeconds = options.reviewTimeoutSeconds === undefined ? 300 : options.reviewTimeoutSeconds;
  useLeanRunContext({ langSmithTracing: options.langSmithTracing ?? false });
  const graph = buildAgentGraph({
    model: options.model,
    toolbox: options.toolbox,
    policy: options.policy,
    audit: options.store.audit,
    executions: options.store.executions,
    checkpointer: options.store.checkpointer,
    clock,
    reviewTimeoutMs: timeoutSeconds === null ? null : timeoutSeconds * 1000,
    ...(options.windowSize !== undefined ? { windowSize: options.windowSize } : {}),
    ...(options.contextTokens !== undefined ? { contextTokens: options.contextTokens } : {}),
    ...(options.modelSecrets ? { modelSecrets: options.modelSecrets } : {}),
  });
  return new GraphSession(graph, options, clock, options.store.heads);
}

class GraphSession implements Session {
  /**
   * Threads whose last run here finished without a review, with the checkpoint that run wrote. While that
   * is still the thread's latest checkpoint, no process has run the thread since, so nothing can be
   * waiting and the transcript holds the run's messages: the thread's state need not be read before new
   * input.
   */
  private readonly finished = new Map<string, string>();

  constructor(
    private readonly graph: AgentGraph,
    private readonly options: SessionOptions,
    private readonly clock: () => number,
    private readonly heads: CheckpointHeads,
  ) {}

  async send(threadId: string, text: string, options: SendOptions) {
    const thread = (await this.knownFinished(threadId)) ? null : await this.readThread(threadId);
    if (thread?.review)
      throw new AskfirstError(
        `thread ${threadId} has a review waiting; answer it before sending anything new (new input would abandon it)`,
        { code: "review_pending", source: "user" },
      );
    const { transcript, executions } = this.options.store;
    // A run that stopped (cancelled, or failed) may have left calls without results, or a request the
    // person withdrew: the model is told first.
    const closing = thread
      ? [
          ...(await closeStoppedCalls(executions, threadId, thread.window)),
          ...(await closeCancelledRequest(transcript, threadId, thread.window)),
        ]
      : [];
    const human = new HumanMessage({ id: newMessageId("human"), content: text });
    const sent = [...closing, human];
    await this.options.store.threads.touch(threadId, options.actingUser);
    await transcript.append(threadId, sent.map(toStored));
    const output = await this.run(
      threadId,
      { messages: sent, actingUser: options.actingUser },
      options,
    ).catch(async (error: unknown) => {
      if (error instanceof TurnCancelled) await this.noteCancelled(threadId, human.id ?? "");
      throw error;
    });
    return this.settle(threadId, output, options, sent.map(toStored));
  }

  /** Writes down a request cancelled before the model answered it; the cancel is what gets reported. */
  private async noteCancelled(threadId: string, humanId: string): Promise<void> {
    try {
      const window = windowOf(await snapshotOf(this.graph, threadId));
      await noteCancelledRequest(this.options.store.transcript, threadId, window, humanId);
    } catch {
      // The cancel is reported all the same; without the note the model reads the request as still asked.
    }
  }

  async resume(threadId: string, response: ReviewResponse, options: ResumeOptions = {}) {
    const output = await this.applyAnswer(threadId, response, { ...options, queued: undefined });
    return this.settle(threadId, output, options, []);
  }

  async askWaiting(threadId: string, review: PendingReview, options: TurnOptions = {}) {
    const paused = { ...emptyRunOutput(), interrupt: { id: review.interruptId, value: review.request } };
    return this.settle(threadId, paused, options, [], review);
  }

  async pendingReview(threadId: string): Promise<PendingReview | null> {
    return pendingReview(this.graph, this.options.store.queue, threadId);
  }

  private readThread(threadId: string): Promise<ThreadState> {
    return readThread(this.graph, this.options.store, threadId);
  }

  async history(threadId: string, from?: string): Promise<BaseMessage[]> {
    await this.readThread(threadId);
    return mapStoredMessagesToChatMessages(await this.options.store.transcript.read(threadId, from));
  }

  async actingUser(threadId: string): Promise<string | null> {
    return (await this.options.store.threads.get(threadId))?.actingUser ?? null;
  }

  /**
   * `queued` is a review this session has just put in the queue: whoever resumes a review claims it first,
   * so when our claim succeeds nobody has answered it, and the checkpoint need not be read again.
   */
  private async applyAnswer(
    threadId: string,
    response: ReviewResponse,
    options: { queued: PendingReview | undefined; interruptId?: string; signal?: AbortSignal },
  ): Promise<RunOutput> {
    const { review, answer } = await this.claimFor(threadId, response, options);
    try {
      // Keyed by the interrupt id, the answer reaches that review only: if the thread waits on another one
      // by the time the run starts, LangGraph leaves the answer unused and the run pauses again.
      const resume = { [review.interruptId]: { ...answer, interruptId: review.interruptId } };
      // The answered review leaves the queue with the run's checkpoint, or stays if the run never wrote one.
      return await this.run(threadId, new Command({ resume }), {
        ...(options.signal ? { signal: options.signal } : {}),
        answering: {
          toolCallIds: review.request.context.actions.map((action) => action.toolCallId),
          rules: review.request.context.actions.map((action) => action.rule),
        },
      });
    } catch (error) {
      await giveBack(this.graph, this.options.store.queue, threadId, review.interruptId);
      throw error;
    }
  }

  /** The review an answer is for, claimed for its reviewer, and the answer that applies (see isExpired). */
  private async claimFor(
    threadId: string,
    response: ReviewResponse,
    options: { queued: PendingReview | undefined; interruptId?: string },
  ): Promise<{ review: PendingReview; answer: ReviewResponse }> {
    const { queued, interruptId: expectedInterruptId } = options;
    const { queue } = this.options.store;
    const review = queued ?? (await this.readThread(threadId)).review;
    if (!review && expectedInterruptId === undefined) throw noReview(threadId);
    if (!review || (expectedInterruptId !== undefined && review.interruptId !== expectedInterruptId)) {
      // The queue may still list the answered review (its answerer died before updating it): it is put
      // right, so `pending` shows what the thread waits on now.
      await requeue(queue, threadId, review);
      throw reviewTaken(threadId);
    }
    const problem = checkResponse(review.request, response);
    if (problem !== null)
      throw new AskfirstError(`that answer does not fit the review (${problem}); it is still pending`, {
        code: "bad_answer",
        source: "user",
      });
    // Past the stored deadline an answer counts for nothing, whoever gives it and however it reached here:
    // the calls are rejected as timed out (audited `timed_out`, no reviewer).
    const answer = isExpired(review, this.clock()) ? timedOutResponse(review) : response;
    if (!queued) await queue.put(toQueued(review));
    if (!(await queue.claim(threadId, review.interruptId, answer.reviewer))) throw reviewTaken(threadId);
    return { review, answer };
  }

  /**
   * After a run: keep the transcript whole, and ask for the review it paused on when told to. The messages
   * of a run that paused for a review answered here are kept with those of the run that answer resumes, in
   * one write: should the process die between, the paused run's messages are in its checkpoint's window,
   * and the next read of the thread adds them first (readThread).
   */
  private async settle(
    threadId: string,
    first: RunOutput,
    options: { onReview?: OnReview; signal?: AbortSignal },
    sent: StoredMessage[],
    waiting?: PendingReview,
  ): Promise<TurnResult> {
    const onReview = options.onReview ?? "ask";
    const result: TurnResult = { status: "done", replies: [], messages: [...sent], calls: [], review: null };
    let output = first;
    const unsaved: StoredMessage[] = [];
    for (;;) {
      unsaved.push(...output.messages);
      result.replies.push(...output.replies);
      result.messages.push(...output.messages);
      result.calls.push(...output.calls);
      // The run's own stream says whether it paused: no need to read the checkpoint back. The store's
      // checkpointer has queued the review with its interrupt, and dropped the one just answered, if any,
      // with the run's checkpoint (queueing.ts).
      const review = pausedOn(threadId, output, output === first ? waiting : undefined);
      const reviewer = this.options.reviewer;
      if (!review || onReview === "queue" || !reviewer) {
        await this.keep(threadId, unsaved);
        return review ? { ...result, status: "pending", review } : result;
      }
      // Only the last run's messages wait for the next write: the window the repair reads holds a run's own.
      if (unsaved.length > output.messages.length)
        await this.keep(threadId, unsaved.splice(0, unsaved.length - output.messages.length));
      try {
        // Cancelled while the run paused: the review stays in the queue, to be answered before new input.
        if (options.signal?.aborted) throw new TurnCancelled(false);
        const asked = await askWatched(this.options.store, review, reviewer, {
          everyMs: this.options.queueWatchMs ?? defaultQueueWatchMs,
          signal: options.signal,
        });
        if (!("answer" in asked)) {
          await this.keep(threadId, unsaved);
          // Read from the message that asked for the review on: what followed, however long the thread.
          const from = askingMessageId(output.messages, review);
          const messages = messagesAfter(await this.history(threadId, from), review);
          return { ...result, elsewhere: { ...asked, messages } };
        }
        output = await this.applyAnswer(threadId, asked.answer, {
          queued: review,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        // The error that stopped the turn is the one to report; a failed write of the messages is put
        // right by the next read of the thread, as `keep` leaves the thread not known whole.
        await this.keep(threadId, unsaved).catch(() => undefined);
        throw withCallsBefore(error, result.calls);
      }
    }
  }

  /** Appends a turn's messages to the transcript; while they are not there, the thread is not known whole. */
  private async keep(threadId: string, messages: StoredMessage[]): Promise<void> {
    await this.options.store.transcript.append(threadId, messages).catch((error: unknown) => {
      // The next input reads the thread first, which puts the transcript right.
      this.finished.delete(threadId);
      throw error;
    });
  }

  private async run(
    threadId: string,
    input: unknown,
    options: { answering?: Answering; signal?: AbortSignal } = {},
  ): Promise<RunOutput> {
    this.finished.delete(threadId);
    const before = this.heads.writtenHere(threadId);
    const output = await runGraph(this.graph, threadId, input, {
      ...options,
      settled: () => this.heads.settled(threadId),
    });
    const written = this.heads.writtenHere(threadId);
    if (!output.interrupt && written !== undefined && written !== before)
      this.finished.set(threadId, written);
    return output;
  }

  /** True when the thread's latest checkpoint is the one our last run on it wrote as it finished. */
  private async knownFinished(threadId: string): Promise<boolean> {
    const written = this.finished.get(threadId);
    return written !== undefined && written === (await this.heads.latest(threadId));
  }
}

/**
 * The review a run paused on, if any. A review read from the queue (askWaiting) keeps what the queue
 * knows: its deadline, and a claim held when its card comes up, which is not taken for an answer given
 * elsewhere.
 */
function pausedOn(threadId: string, output: RunOutput, waiting: PendingReview | undefined) {
  const paused = output.interrupt;
  if (!paused) return null;
  if (waiting?.interruptId === paused.id) return waiting;
  return fresh(threadId, paused.id, paused.value as ReviewRequest);
}
