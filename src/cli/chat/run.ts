import { randomUUID } from "node:crypto";
import type { Session, TurnResult } from "../../agent/sessionTypes.js";
import { TurnFailed } from "../../agent/turnFailed.js";
import {
  ExitCode,
  TurnCancelled,
  describeError,
  isAskfirstError,
  type ExitCode as Code,
} from "../../errors.js";
import type { Reviewer } from "../../review/decisions.js";
import { keyHelp, keyPattern } from "../../server/seed.js";
import { isExpired, timedOutResponse } from "../../store/deadlines.js";
import type { CliContext } from "../context.js";
import { createLineSource, type LineSource } from "./lines.js";
import { callsOnly, chatHelp, formatCancelled, formatHistory, formatPending, formatTurn } from "./render.js";
import type { ChatOptions } from "./setup.js";
import type { Spinner } from "./spinner.js";

/** What the chat loop needs, already opened. */
export interface ChatRuntime {
  session: Session;
  reviewer: Reviewer;
  spinner: Spinner;
  threadId: string;
  actingUser: string;
  banner?: string | undefined;
  /** Set when a cancelled turn may have left a review waiting: it is answered before the next message. */
  reviewMayWait?: boolean;
}

export function newThreadId(): string {
  return `thread-${randomUUID().slice(0, 8)}`;
}

/**
 * Runs a chat: shows a continued thread's history, answers a review it waits on, then runs the `-q`
 * queries or reads lines from the person. Returns the exit code.
 */
export async function runChat(runtime: ChatRuntime, options: ChatOptions, ctx: CliContext): Promise<Code> {
  const out = (text: string) => ctx.stdout.write(text);
  if (runtime.banner) ctx.stderr.write(`${runtime.banner}\n`);
  ctx.stderr.write(`thread ${runtime.threadId}, acting as ${runtime.actingUser}\n`);
  if (options.thread) {
    const history = await runtime.session.history(runtime.threadId);
    if (history.length > 0)
      out(`── thread ${runtime.threadId} so far ──\n${formatHistory(history)}── now ──\n`);
    // A mistyped id, or another store, would otherwise start a new thread looking like the one asked for.
    else
      ctx.stderr.write(`nothing is kept under thread ${runtime.threadId} in this store yet: it starts new\n`);
  }
  const resumed = await answerWaiting(runtime, options, ctx);
  if (resumed !== null) {
    // New input would abandon the review: -q queries are not sent, and the person is told so.
    const queries = options.query?.length ?? 0;
    if (queries > 0 && resumed === ExitCode.pendingReview)
      ctx.stderr.write(
        `not sent: ${queries === 1 ? "the query" : `the ${queries} queries`}; the thread waits on that review first (askfirst review ${runtime.threadId})\n`,
      );
    return resumed;
  }
  if (options.query?.length) return interactive(runtime, options, ctx, queryLines(options.query));
  return interactive(runtime, options, ctx, await createLineSource(ctx));
}

async function answerWaiting(
  runtime: ChatRuntime,
  options: ChatOptions,
  ctx: CliContext,
): Promise<Code | null> {
  const waiting = await runtime.session.pendingReview(runtime.threadId);
  if (!waiting) return null;
  ctx.stdout.write(`This thread has a review waiting; it is answered first.\n${formatPending(waiting)}\n`);
  // A review waiting already was asked of someone: with nobody here to answer it (no terminal, no answers
  // file), it is left for them rather than rejected in their place.
  if (options.onReview === "queue" || runtime.reviewer.nobody === true)
    return leavePending(runtime.threadId, ctx);
  // Past its stored deadline, nobody is asked: the calls are rejected as timed out (audited `timed_out`).
  const expired = isExpired(waiting, Date.now());
  if (expired) ctx.stdout.write("Its deadline has passed: its calls are rejected as timed out.\n");
  // Asked as a review a run pauses on is: the card closes when the review is answered elsewhere.
  const code = await turn(runtime, options, ctx, (signal) =>
    expired
      ? runtime.session.resume(runtime.threadId, timedOutResponse(waiting), {
          onReview: options.onReview,
          interruptId: waiting.interruptId,
          signal,
        })
      : runtime.session.askWaiting(runtime.threadId, waiting, { onReview: options.onReview, signal }),
  );
  return code === ExitCode.ok ? null : code;
}

/** The person's lines, or the `-q` queries (commands such as /as work in both). */
export async function interactive(
  runtime: ChatRuntime,
  options: ChatOptions,
  ctx: CliContext,
  lines: LineSource,
) {
  const scripted = Boolean(options.query?.length);
  // Lines from -q or a pipe are not on screen: echo them so the printed session reads as a conversation.
  const echo = scripted || !ctx.stdin.isTTY;
  if (!echo) ctx.stdout.write(`${chatHelp}\n`);
  try {
    for (;;) {
      const line = await lines.next(`${runtime.actingUser}>`);
      if (line === null) return lines.interrupted ? ExitCode.interrupted : ExitCode.ok;
      const text = line.trim();
      if (echo && text.startsWith("/")) ctx.stdout.write(`${text}\n`);
      else if (echo && text) ctx.stdout.write(`you (${runtime.actingUser}): ${text}\n`);
      const code = await handleLine(runtime, options, ctx, text);
      if (code === "quit") return ExitCode.ok;
      if (code === ExitCode.pendingReview || code === ExitCode.interrupted) return code;
      // Queries and piped lines were written ahead: after a mistake (a bad /as) the next ones would act
      // for the wrong user, so the run stops there.
      if (echo && code !== ExitCode.ok) return code;
    }
  } finally {
    lines.close();
  }
}

async function handleLine(runtime: ChatRuntime, options: ChatOptions, ctx: CliContext, text: string) {
  if (!text) return ExitCode.ok;
  if (text === "/quit" || text === "/exit") return "quit";
  if (text === "/help") ctx.stdout.write(`${chatHelp}\n`);
  else if (text === "/as" || text.startsWith("/as ")) return switchUser(runtime, text, ctx);
  else if (text.startsWith("/")) ctx.stdout.write(`unknown command ${text.split(/\s/)[0]}; type /help\n`);
  else {
    if (runtime.reviewMayWait) {
      runtime.reviewMayWait = false;
      const answered = await answerWaiting(runtime, options, ctx);
      if (answered !== null) return answered;
    }
    return turn(runtime, options, ctx, (signal) =>
      runtime.session.send(runtime.threadId, text, {
        actingUser: runtime.actingUser,
        onReview: options.onReview,
        signal,
      }),
    );
  }
  return ExitCode.ok;
}

function queryLines(queries: string[]): LineSource {
  let next = 0;
  return {
    next: () => {
      const line = queries[next];
      next += 1;
      return Promise.resolve(line ?? null);
    },
    interrupted: false,
    close: () => undefined,
  };
}

/**
 * A user key as the built-in server takes it. A bad one changes nothing; in a `-q` run or with piped lines it
 * also stops the run (exit 2), since the lines after it were meant for another user than the one still acting.
 */
function switchUser(runtime: ChatRuntime, text: string, ctx: CliContext): Code {
  const user = text.slice("/as".length).trim();
  if (!keyPattern.test(user)) {
    ctx.stdout.write(`usage: /as <user> (${keyHelp}); still acting as ${runtime.actingUser}\n`);
    return ExitCode.usage;
  }
  runtime.actingUser = user;
  ctx.stdout.write(`now acting as ${user}\n`);
  return ExitCode.ok;
}

/**
 * Runs one turn; a failed turn is reported and the session goes on (a -q run stops, with its exit code). An
 * answers file that failed stops any chat.
 */
async function turn(
  runtime: ChatRuntime,
  options: ChatOptions,
  ctx: CliContext,
  run: (signal: AbortSignal) => Promise<TurnResult>,
): Promise<Code> {
  // Ctrl-C while the agent works cancels the turn, and a second one quits at once. At the chat prompt the
  // chat goes on; a -q run or piped lines stop there (exit 130), since what came next assumed this turn.
  const atPrompt = Boolean(ctx.stdin.isTTY) && !options.query?.length;
  const cancel = new AbortController();
  const stopListening = ctx.onInterrupt?.(() => {
    cancel.abort();
    runtime.spinner.say("cancelling… (Ctrl-C again quits)");
  });
  try {
    const result = await runtime.spinner.spin(() => run(cancel.signal));
    ctx.stdout.write(formatTurn(result, { verbose: options.verbose ?? false }));
    if (result.status === "pending") return leavePending(runtime.threadId, ctx);
    if (!result.elsewhere) return ExitCode.ok;
  } catch (error) {
    if (error instanceof TurnCancelled) {
      await reportCancelled(runtime, ctx, error.toolUnderWay, atPrompt);
      return atPrompt ? ExitCode.ok : ExitCode.interrupted;
    }
    // An answers file that could not answer a review would answer every later one with the wrong line: the
    // chat stops (exit 2) and that review stays pending, rather than each next line failing on it.
    // What ran before the failure is shown first: a call that took effect must not go unmentioned.
    if (error instanceof TurnFailed) ctx.stdout.write(formatTurn(callsOnly(error), { verbose: false }));
    if (isAskfirstError(error) && error.code === "answers_file") throw error;
    ctx.stderr.write(`askfirst: that turn failed: ${describeError(error)}\n`);
    if (ctx.env.DEBUG && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
    if (options.query?.length) return isAskfirstError(error) ? error.exitCode : ExitCode.unexpected;
    return ExitCode.ok;
  } finally {
    stopListening?.();
  }
  // Its review was answered elsewhere, and the run that answer resumed there may have paused on another
  // one: that one is asked here too, now, as a review waiting when the chat starts is.
  return (await answerWaiting(runtime, options, ctx)) ?? ExitCode.ok;
}

/** After Ctrl-C stopped a turn: what may have happened, and the review it may have left waiting. */
async function reportCancelled(
  runtime: ChatRuntime,
  ctx: CliContext,
  toolUnderWay: boolean,
  atPrompt: boolean,
): Promise<void> {
  const { threadId } = runtime;
  const reviewWaiting = (await runtime.session.pendingReview(threadId).catch(() => null)) !== null;
  ctx.stdout.write(formatCancelled(toolUnderWay, { threadId, atPrompt, reviewWaiting }));
  if (reviewWaiting && atPrompt) runtime.reviewMayWait = true;
}

function leavePending(threadId: string, ctx: CliContext): Code {
  ctx.stdout.write(`${threadId}\n`);
  return ExitCode.pendingReview;
}
