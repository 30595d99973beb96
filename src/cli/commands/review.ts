import type { Command } from "commander";
import type { Session, TurnResult } from "../../agent/sessionTypes.js";
import type { TurnFailed } from "../../agent/turnFailed.js";
import { AskfirstError, ExitCode, TurnCancelled } from "../../errors.js";
import type { ChatOptions } from "../chat/setup.js";
import type { AgentRuntime } from "../agentRuntime.js";
import type { CliContext } from "../context.js";
import { parseReviewTimeout } from "../program.js";
import { storeOptionHelp } from "./pending.js";
import { answerOldest, followQueue, noteStops, type NextReviews, type Stop } from "./reviewNext.js";
import { answerReview, checkStartFlags, decide, isAnsweredByFlags } from "./answerReview.js";
import { addServerOptions } from "./serverOptions.js";

export interface ReviewOptions {
  /** The review the answer is for (as askfirst pending shows it); another one waiting is not answered. */
  interrupt?: string;
  approve?: boolean;
  reject?: string;
  edit?: string;
  answers?: string;
  model?: string;
  server?: string[];
  tokens?: string;
  data?: string;
  demo?: string;
  policy?: string;
  reviewer?: string;
  store?: string;
  reviewTimeout: number;
  verbose?: boolean;
  /** Answer reviews at the terminal as they come, oldest first, until Ctrl-C. */
  follow?: boolean;
}

export function registerReview(program: Command, ctx: CliContext): void {
  const command = program
    .command("review")
    .description(
      "Answer a thread's pending review from here, then run the agent on until it ends or pauses again",
    )
    .argument(
      "[thread]",
      "the thread whose review to answer (see askfirst pending); without one, the oldest review waiting, asked at the terminal",
    )
    .option(
      "--interrupt <id>",
      "answer only this review (the id askfirst pending shows); refused if the thread waits on another",
    )
    .option("--approve", "approve every call of the review")
    .option("--reject <reason>", "reject every call of the review; the reason reaches the model")
    .option("--edit <json>", "approve the review's one call with these arguments instead")
    .option(
      "--answers <file>",
      "answer from this file, one line per reviewed call: yes | no: <reason> | edit <json> | always",
    )
    .option(
      "-m, --model <spec>",
      "the model the run continues with: gemini[:<name>] | scripted:<file.json> | local (default: gemini with GOOGLE_API_KEY, else local)",
    )
    .option(
      "--policy <file>",
      "review policy JSON for the rest of the run; give the chat's (default: the demo's with --demo, else the built-in one)",
    )
    .option("--reviewer <name>", "name recorded for who answered (default: the OS user)")
    .option("--store <spec>", storeOptionHelp)
    .option(
      "--review-timeout <seconds>",
      "seconds to answer at the terminal, and for later reviews",
      parseReviewTimeout,
      300,
    )
    .option("--verbose", "also print each tool result the agent received")
    .option(
      "--follow",
      "with no thread: answer reviews at the terminal as they come, oldest first, until Ctrl-C",
    );
  addServerOptions(command).action(async (thread: string | undefined, options: ReviewOptions) => {
    const { code, threadId } = await startReview(thread, options, ctx, Date.now);
    if (code === ExitCode.interrupted)
      throw new AskfirstError("interrupted", { code: "interrupted", exitCode: code });
    if (code === ExitCode.pendingReview)
      throw new AskfirstError(
        `the run paused for another review; answer it with askfirst review ${threadId}`,
        {
          code: "left_pending",
          exitCode: code,
        },
      );
  });
}

/**
 * Opens what the resumed run needs (store, model, servers, policy, reviewer), answers, prints, closes.
 * Without a thread, the oldest review nobody is answering is asked at the terminal.
 */
async function startReview(
  thread: string | undefined,
  options: ReviewOptions,
  ctx: CliContext,
  clock: () => number,
): Promise<{ code: ExitCode; threadId: string | undefined }> {
  await checkStartFlags(thread, options, ctx);
  const chat = toChatOptions(options);
  // Nothing to answer in a store that does not exist; opening it would create it. Asked for the oldest
  // review, a folder without the default store reads as empty, as for pending (with the same note).
  const { storeToRead } = await import("../../store/open.js");
  const { absent, isNamed } = storeToRead(chat.store, ctx.env, ctx.cwd);
  if (absent && (thread !== undefined || isNamed || options.follow)) throw absent;
  if (absent) {
    ctx.stderr.write(`askfirst: note: ${absent.message}\n`);
    ctx.stdout.write("No reviews are pending.\n");
    return { code: ExitCode.ok, threadId: undefined };
  }
  const setup = await import("../chat/setup.js");
  setup.checkChatOptions(chat, ctx.env, ctx.cwd);
  const { parseModelSpec } = await import("../../models/spec.js");
  const modelSpec = parseModelSpec(options.model, ctx.env);
  const { checkBuiltInData, openAgentRuntime, openToolbox } = await import("../agentRuntime.js");
  const toolbox = await openToolbox(chat, ctx);
  const stops: { reason: Stop } = { reason: null };
  try {
    const runtime = await openAgentRuntime(chat, ctx, {
      toolbox,
      modelSpec,
      clock,
      existingStore: true,
      defersDataCheck: true,
      // Every answer the person gives here, also those the resumed run asks for, may end --follow.
      chooseReviewer: async (notice) => noteStops(await setup.chooseReviewer(chat, ctx, notice), stops),
    });
    try {
      const name = setup.chooseReviewerName(chat);
      const offered = async (user: string) => (await toolbox.toolsFor(user)).map((item) => item.tool.name);
      const checkServers = () => checkBuiltInData(chat, ctx.cwd);
      return await answerWith(runtime, thread, { options, name, ctx, clock, stops, offered, checkServers });
    } finally {
      await runtime.store.close();
    }
  } finally {
    await toolbox.close();
  }
}

interface AnswerContext {
  options: ReviewOptions;
  name: string;
  ctx: CliContext;
  clock: () => number;
  stops: { reason: Stop };
  /** The tools the servers here offer a user: a review asking about others cannot be answered here. */
  offered: (user: string) => Promise<string[]>;
  /** See decide: the built-in server's data folder, checked once there is a review to answer. */
  checkServers: () => Promise<void>;
}

/**
 * Answers the named thread's review, or the oldest one waiting (`--follow`: each as it comes), with the
 * opened runtime, and prints what each resumed run did.
 */
async function answerWith(
  runtime: AgentRuntime,
  thread: string | undefined,
  context: AnswerContext,
): Promise<{ code: ExitCode; threadId: string | undefined }> {
  const { options, ctx, clock, stops } = context;
  // Ctrl-C while the resumed run works stops it where it is (a second one quits at once). At a review
  // prompt it is a keypress instead, and rejects what is left to answer (TerminalReviewer). While
  // --follow waits for a review, it stops the wait.
  const cancel = new AbortController();
  const answering = answerer(runtime, context, cancel.signal, thread !== undefined);
  const stopListening = ctx.onInterrupt?.(() => {
    cancel.abort();
    ctx.stderr.write(answering.running ? "\ncancelling… (Ctrl-C again quits)\n" : "\nstopped.\n");
  });
  try {
    if (thread !== undefined) {
      const code = await answering.answer(thread, options.interrupt?.trim());
      if (answering.expired) throw expiredAnswer(code, thread);
      return { code, threadId: thread };
    }
    const next: NextReviews = {
      queue: runtime.store.queue,
      reviewer: context.name,
      clock,
      write: (text: string) => ctx.stdout.write(text),
      signal: cancel.signal,
      answer: (threadId: string) => answering.answer(threadId),
      stopped: () => stops.reason,
    };
    const code = await (options.follow ? followQueue(next) : answerOldest(next));
    return { code, threadId: answering.threadId };
  } catch (error) {
    const code = await afterFailure(error, runtime.session, answering.threadId, ctx);
    return { code, threadId: answering.threadId };
  } finally {
    stopListening?.();
  }
}

/**
 * Answers one thread's review and prints the resumed run; notes the thread last answered, whether a run
 * is under way, and (for a named review) whether it had expired, so the answer given was not applied.
 */
function answerer(runtime: AgentRuntime, context: AnswerContext, signal: AbortSignal, isNamed: boolean) {
  const { options, name, ctx, clock, offered, checkServers } = context;
  const asking = { reviewer: runtime.reviewer, name, queue: runtime.store.queue, offered, checkServers };
  const state = {
    threadId: undefined as string | undefined,
    running: false,
    expired: false,
    answer: async (threadId: string, interruptId?: string): Promise<ExitCode> => {
      state.threadId = threadId;
      state.running = true;
      try {
        const result = await answerReview({
          session: runtime.session,
          threadId,
          clock,
          decide: (review) => decide(review, options, asking),
          onReview: isAnsweredByFlags(options) ? "queue" : "ask",
          ...(interruptId !== undefined ? { interruptId } : {}),
          write: (text) => ctx.stdout.write(text),
          signal,
          onExpired: () => (state.expired = isNamed),
        });
        return await printResult(result, options, ctx);
      } finally {
        state.running = false;
      }
    },
  };
  return state;
}

/**
 * What ran before a failure is shown first (a call that took effect must not go unmentioned); a resumed
 * run stopped by Ctrl-C is reported, with whether a review still waits. Anything else is thrown on.
 */
async function afterFailure(
  error: unknown,
  session: Session,
  threadId: string | undefined,
  ctx: CliContext,
): Promise<ExitCode> {
  const { TurnFailed } = await import("../../agent/turnFailed.js");
  if (error instanceof TurnFailed) await printCallsBefore(error, ctx);
  if (!(error instanceof TurnCancelled) || threadId === undefined) throw error;
  return reportCancelled(session, threadId, error.toolUnderWay, ctx);
}

/** Exit 2: the answer given for a review that had expired was not applied (exit 3's news is kept). */
function expiredAnswer(code: ExitCode, thread: string): AskfirstError {
  const paused =
    code === ExitCode.pendingReview
      ? `; the run then paused for another review (askfirst review ${thread})`
      : "";
  return new AskfirstError(
    `the review had expired, so the answer given here was not applied: its calls were rejected as timed out${paused}`,
    { code: "review_expired", source: "user" },
  );
}

async function printResult(result: TurnResult, options: ReviewOptions, ctx: CliContext): Promise<ExitCode> {
  const { formatTurn } = await import("../chat/render.js");
  ctx.stdout.write(formatTurn(result, { verbose: options.verbose ?? false }));
  if (result.status !== "pending") return ExitCode.ok;
  ctx.stdout.write(`${result.review?.threadId ?? ""}\n`);
  return ExitCode.pendingReview;
}

async function printCallsBefore(failed: TurnFailed, ctx: CliContext): Promise<void> {
  const { callsOnly, formatTurn } = await import("../chat/render.js");
  ctx.stdout.write(formatTurn(callsOnly(failed), { verbose: false }));
}

/** After Ctrl-C stopped the resumed run: what may have happened, and whether a review still waits. */
async function reportCancelled(
  session: Session,
  threadId: string,
  toolUnderWay: boolean,
  ctx: CliContext,
): Promise<ExitCode> {
  const { formatCancelled } = await import("../chat/render.js");
  const reviewWaiting = (await session.pendingReview(threadId).catch(() => null)) !== null;
  ctx.stdout.write(formatCancelled(toolUnderWay, { threadId, atPrompt: false, reviewWaiting }));
  return ExitCode.interrupted;
}

function toChatOptions(options: ReviewOptions): ChatOptions {
  const { approve: _approve, reject: _reject, edit: _edit, ...shared } = options;
  return { ...shared, onReview: "ask" };
}
