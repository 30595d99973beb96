import { isToolMessage, type ToolMessage } from "@langchain/core/messages";
import { ToolInputParsingException } from "@langchain/core/tools";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { describeError } from "../../errors.js";
import type { LoadedTool, Toolbox } from "../../mcp/connect.js";
import { checkArgs } from "../../review/argsSchema.js";
import { maskSecrets, maskText } from "../../review/mask.js";
import { digestMatches, type ArgsDigest } from "../../store/auditChain.js";
import type { AuditEntry, AuditLog, ExecutionJournal, ToolExecution } from "../../store/types.js";
import { callsOf, errorResult, lastTurn, okResult, type IdentifiedCall } from "../messages.js";
import type { AgentState, CallOutcome, ReviewedCall } from "../state.js";
import { cancelledWhileRunning, mayHaveRun, startedUnder } from "./startedBefore.js";

export interface RunToolDeps {
  toolbox: Toolbox;
  audit: AuditLog;
  /** Each call is recorded there as started before it runs: a call runs at most once, across crashes. */
  journal: ExecutionJournal;
  clock: () => number;
}

/** A call run_tool may run: settled by human_review_node, and the tool its server offers now (if any). */
interface Runnable {
  call: IdentifiedCall;
  reviewed: ReviewedCall;
  loaded: LoadedTool | undefined;
}

/**
 * The only place a tool runs. It runs, one after another in the model's order, the calls of the last AI
 * message that have no ToolMessage yet, each with exactly the arguments human_review_node recorded.
 */
export function createRunToolNode(deps: RunToolDeps) {
  return async (state: AgentState, config: LangGraphRunnableConfig) => {
    const { ai, answered } = lastTurn(state.messages);
    const tools = await deps.toolbox.toolsFor(state.actingUser);
    const threadId = String(config.configurable?.thread_id ?? "");
    const messages: ToolMessage[] = [];
    const outcomes: CallOutcome[] = [];
    for (const call of callsOf(ai).filter((item) => !answered.has(item.id))) {
      // A cancelled run's writes are dropped: the calls not begun are left for the next input to close.
      if (config.signal?.aborted) break;
      const reviewed = state.reviewed[call.id];
      // Fail closed: a call human_review_node did not settle never runs.
      if (!reviewed) {
        messages.push(errorResult(call, `${call.name} was not reviewed, so it did not run.`));
        continue;
      }
      const loaded = tools.find((item) => item.tool.name === call.name);
      const result = await runOnce(deps, threadId, { call, reviewed, loaded }, config);
      messages.push(result.message);
      outcomes.push(toOutcome(call, reviewed, result));
      const time = new Date(deps.clock()).toISOString();
      const context = { threadId, time, state, digest: deps.audit.digestArgs };
      const entry = toAuditEntry({ call, reviewed, loaded }, result, context);
      // Started before a crash under another answer: whoever made it run is recorded first.
      const earlier = result.earlier ? startedUnder(entry, result.earlier) : null;
      if (earlier) await deps.audit.append(earlier);
      await deps.audit.append(entry);
    }
    return { messages, reviewed: {}, outcomes };
  };
}

type Execution = { argsHash: string; message: ToolMessage; earlier?: ToolExecution } & (
  { ok: true; text: string } | { ok: false; error: string }
);

/**
 * Runs the call unless the journal shows it was started before, by a run that ended without a checkpoint
 * after it: a finished call gives back its recorded outcome, and an unfinished one may have run before a
 * crash, so it is not run again and the model is told so.
 */
async function runOnce(
  deps: RunToolDeps,
  threadId: string,
  runnable: Runnable,
  config: LangGraphRunnableConfig,
): Promise<Execution> {
  const { call, reviewed } = runnable;
  const argsHash = deps.audit.digestArgs(reviewed.args);
  const earlier = await deps.journal.start({
    threadId,
    toolCallId: call.id,
    tool: call.name,
    argsHash,
    startedAt: deps.clock(),
    decision: reviewed.decision,
    reviewer: reviewed.reviewer,
  });
  if (earlier) return { ...fromJournal(call, earlier, deps.audit.digestArgs, reviewed.args), earlier };
  const result = await execute(runnable, config, argsHash);
  await deps.journal.finish(threadId, call.id, {
    outcome: result.ok ? "ok" : "error",
    result: result.ok ? result.text : result.error,
    finishedAt: deps.clock(),
  });
  return result;
}

function fromJournal(
  call: IdentifiedCall,
  earlier: ToolExecution,
  digest: ArgsDigest,
  approvedArgs: Record<string, unknown>,
): Execution {
  const { argsHash, result } = earlier;
  if (!digestMatches(digest, argsHash, approvedArgs)) return ranWithOtherArgs(call, earlier);
  if (earlier.outcome === "error" && result !== null) return failed(call, result, argsHash);
  if (earlier.outcome !== "ok" || result === null)
    return failed(call, mayHaveRun(call.name, earlier.startedAt), argsHash);
  return succeeded(call, result, argsHash);
}

/**
 * The call was started before a crash with other arguments than the ones settled now (the review was
 * asked again and answered with an edit): what ran is not what was approved, so the model and the person
 * get an error that says so, with whatever the earlier start left.
 */
function ranWithOtherArgs(call: IdentifiedCall, earlier: ToolExecution): Execution {
  const started = new Date(earlier.startedAt).toISOString();
  const ran =
    earlier.outcome === "ok"
      ? `had already run before a crash`
      : earlier.outcome === "error"
        ? `had already been tried before a crash`
        : `may have run before a crash`;
  const then =
    earlier.result === null
      ? "It never reported back; check whether it took effect."
      : `Its ${earlier.outcome === "ok" ? "result" : "error"} then: ${earlier.result}`;
  const text =
    `${call.name} ${ran}, with other arguments than the ones approved now (started at ${started}); ` +
    `a tool call runs at most once, so it was not run again with these. ${then}`;
  return failed(call, text, earlier.argsHash);
}

async function execute(
  runnable: Runnable,
  config: LangGraphRunnableConfig,
  argsHash: string,
): Promise<Execution> {
  const { call, reviewed, loaded } = runnable;
  if (!loaded) return failed(call, `the tool ${call.name} is no longer offered by its server`, argsHash);
  const signal = callSignal(config.signal);
  try {
    const output: unknown = await loaded.tool.invoke(
      { name: call.name, args: reviewed.args, id: call.id, type: "tool_call" },
      { signal: signal.signal },
    );
    const raw = isToolMessage(output) ? output : null;
    const edited =
      reviewed.decision === "edited"
        ? `\n(The reviewer edited the arguments; it ran with ${JSON.stringify(maskSecrets(reviewed.args))}.)`
        : "";
    const text = `${readableText(raw ? raw.content : output)}${edited}`;
    return succeeded(call, text, argsHash, raw?.artifact);
  } catch (error) {
    // The adapter checks arguments against the tool's schema before sending and says only that they do not
    // match: the model is told what is wrong, in the words of the schema the server advertised.
    const problem =
      error instanceof ToolInputParsingException ? checkArgs(loaded.inputSchema, reviewed.args) : null;
    const text = problem
      ? `the arguments do not fit ${call.name}'s schema (${problem}); it did not run`
      : config.signal?.aborted
        ? cancelledWhileRunning(call.name)
        : readableToolError(error);
    return failed(call, text, argsHash);
  } finally {
    signal.release();
  }
}

/*
 * A tool's answer is masked (see maskText) before anything keeps it: the model, the checkpoint and the
 * transcript, the journal, the audit record and every screen get the same text. The model loses nothing it
 * needs: ordinary results pass unchanged, and a credential a tool echoes back (its arguments in an error, a
 * connection string) is one the model must not carry into its next prompt or repeat in its reply.
 */

function succeeded(call: IdentifiedCall, result: string, argsHash: string, artifact?: unknown): Execution {
  const text = maskText(result);
  // The server's structured content stays with the message, for models and tools that read it.
  const message = okResult(call, text, artifact === undefined ? undefined : maskSecrets(artifact));
  return { ok: true, argsHash, message, text };
}

/**
 * A signal of one tool call's own, aborted with the run's. The MCP client adds an abort listener to the
 * signal of each request and never removes it: on the run's signal, a message with many calls set off
 * Node's listener-leak warning. This one is released, and its link to the run's removed, once the call ends.
 */
function callSignal(run: AbortSignal | undefined): { signal: AbortSignal; release: () => void } {
  const own = new AbortController();
  const abort = () => own.abort(run?.reason);
  if (run?.aborted) abort();
  else run?.addEventListener("abort", abort, { once: true });
  return { signal: own.signal, release: () => run?.removeEventListener("abort", abort) };
}

function failed(call: IdentifiedCall, problem: string, argsHash: string): Execution {
  const error = maskText(problem);
  return { ok: false, argsHash, message: errorResult(call, error), error };
}

/** MCP adapters wrap a tool's `isError` text in their own prefix; the server's sentence is what matters. */
function readableToolError(error: unknown): string {
  const text = describeError(error);
  const match = /returned an error: (.*)$/s.exec(text);
  return match?.[1]?.trim() || text;
}

/**
 * The text of a tool result. MCP adapters hand over a text block (sometimes serialised as JSON, with the
 * structured content inside); the model and the transcript get the server's sentence.
 */
function readableText(content: unknown): string {
  if (typeof content === "string") {
    if (!content.startsWith("{") && !content.startsWith("[")) return content;
    try {
      return readableText(JSON.parse(content));
    } catch {
      return content;
    }
  }
  if (Array.isArray(content)) return content.map(readableText).filter(Boolean).join("\n");
  if (typeof content === "object" && content !== null && "text" in content) return String(content.text);
  return JSON.stringify(content);
}

function toOutcome(call: IdentifiedCall, reviewed: ReviewedCall, result: Execution): CallOutcome {
  return {
    toolCallId: call.id,
    tool: call.name,
    server: reviewed.server,
    tier: reviewed.tier,
    rule: reviewed.rule,
    decision: reviewed.decision,
    reviewer: reviewed.reviewer,
    args: maskSecrets(reviewed.args),
    outcome: result.ok ? "ok" : "error",
    detail: result.ok ? null : result.error,
  };
}

function toAuditEntry(
  runnable: Runnable,
  result: Execution,
  context: { threadId: string; time: string; state: AgentState; digest: ArgsDigest },
): AuditEntry {
  const { call, reviewed } = runnable;
  return {
    time: context.time,
    threadId: context.threadId,
    toolCallId: call.id,
    interruptId: reviewed.interruptId,
    actingUser: context.state.actingUser,
    reviewer: reviewed.reviewer,
    tool: call.name,
    server: reviewed.server,
    args: maskSecrets(call.args),
    argsHash: context.digest(call.args),
    tier: reviewed.tier,
    rule: reviewed.rule,
    decision: reviewed.decision,
    decideMs: reviewed.decideMs,
    outcome: result.ok ? "ok" : "error",
    error: result.ok ? null : result.error,
    // What the journal says was started: for a call not run again, the arguments of the earlier start.
    executedArgsHash: result.argsHash,
    ...(reviewed.decision === "edited" ? { editedArgs: maskSecrets(reviewed.args) } : {}),
  };
}
