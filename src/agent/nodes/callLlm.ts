import { randomUUID } from "node:crypto";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import {
  SystemMessage,
  isAIMessage,
  isHumanMessage,
  isToolMessage,
  trimMessages,
  type BaseMessage,
} from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { AskfirstError, isRedactable, redactSecrets } from "../../errors.js";
import type { LoadedTool, Toolbox } from "../../mcp/connect.js";
import { newMessageId } from "../messages.js";
import { systemPrompt } from "../prompt.js";
import type { AgentState } from "../state.js";

export interface CallLlmDeps {
  model: BaseChatModel;
  toolbox: Toolbox;
  clock: () => number;
  /** Rough budget of what the model sees, in tokens (≈ 4 characters each). */
  contextTokens: number;
  /** The model client's secrets: an error that quotes one (a proxy echoing the key) is rethrown without it. */
  secrets?: string[];
  /** How long one model call may take before the turn fails saying so (default 120 s). */
  timeoutMs?: number;
}

/** A model that has not answered in two minutes is not going to: the person is told, not left waiting. */
const defaultModelTimeoutMs = 120_000;

export function createCallLlmNode(deps: CallLlmDeps) {
  // A model bound to a user's tools is made once per tool list (binding converts every tool's schema).
  const bound = new WeakMap<LoadedTool[], ReturnType<typeof bindTools>>();
  const bindTools = (tools: LoadedTool[]) =>
    deps.model.bindTools ? deps.model.bindTools(tools.map((item) => item.tool)) : deps.model;
  return async (state: AgentState, config: LangGraphRunnableConfig) => {
    const tools = await deps.toolbox.toolsFor(state.actingUser);
    let model = bound.get(tools);
    if (!model) {
      model = bindTools(tools);
      bound.set(tools, model);
    }
    const view = await modelView(state.messages, deps.contextTokens);
    const timeoutMs = deps.timeoutMs ?? defaultModelTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    // Not eitherOf (lineReader.ts): its listener on the run's signal would stay for each of up to 25 model
    // calls of a run; this one is held by the call in flight and adds nothing that outlives it.
    const signal = config.signal ? AbortSignal.any([config.signal, timeout]) : timeout;
    const response = await model
      .invoke([new SystemMessage(systemPrompt(state.actingUser, tools)), ...view], { signal })
      .catch((error: unknown) => {
        if (timeout.aborted && !config.signal?.aborted)
          throw new AskfirstError(
            `the model did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}, so the turn stopped; send the message again`,
            { code: "model_timeout", cause: error },
          );
        throw withoutSecrets(error, deps.secrets ?? []);
      });
    noteEarlyStop(response);
    // An id set on the message alone is not serialized (toJSON writes the constructor fields): the
    // checkpoint, the transcript and a later read must all see the same id.
    if (!response.id) {
      const id = newMessageId("ai");
      response.id = id;
      response.lc_kwargs.id = id;
    }
    // Some providers send tool calls without ids, or without arguments (Gemini's are optional). Each gets
    // them here, once, where the answer enters the state: the review, the journal, the audit and run_tool
    // all key on the id and must agree, and a call with no arguments is one with none.
    for (const call of response.tool_calls ?? []) {
      call.id ??= `call_${randomUUID()}`;
      call.args = (call.args as Record<string, unknown> | undefined) ?? {};
    }
    return { messages: [response], requestedAt: deps.clock() };
  };
}

/** Why a model stopped other than by finishing, in words a person reads after its answer. */
const earlyStops: Record<string, string> = {
  MAX_TOKENS: "the answer was cut off: the model reached its output limit",
  MALFORMED_FUNCTION_CALL: "the model tried to call a tool but wrote the call malformed; ask again",
  RECITATION: "the model stopped: its answer was withheld as a recitation",
  SAFETY: "the model stopped for safety",
};

/**
 * An answer the model stopped early (Gemini's finishReason) says so at its end, so neither the person nor
 * the model, reading it later, takes a cut-off answer for a whole one. Kept in the message's own fields,
 * as the id is, so the checkpoint and transcript hold the same text.
 */
function noteEarlyStop(response: BaseMessage): void {
  const reason = (response.additional_kwargs as { finishReason?: unknown }).finishReason;
  if (typeof reason !== "string" || ["STOP", "FINISH_REASON_UNSPECIFIED"].includes(reason)) return;
  const note = `(${earlyStops[reason] ?? `the model stopped early: ${reason}`})`;
  const content = response.content;
  const noted =
    typeof content === "string"
      ? content.trim() === ""
        ? note
        : `${content} ${note}`
      : [...content, { type: "text" as const, text: note }];
  response.content = noted;
  (response.lc_kwargs as { content?: unknown }).content = noted;
}

/**
 * The error as it was, unless its text holds a secret: then a plain Error of the same name and message with
 * each secret replaced, and nothing else of the original (its cause, response or stack could hold it too).
 * What leaves the node is shown to the person and written to the checkpoint.
 */
export function withoutSecrets(error: unknown, secrets: string[]): unknown {
  const present = secrets.filter(isRedactable);
  if (present.length === 0) return error;
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
  let leaked = present.some((secret) => text.includes(secret));
  if (!leaked && error instanceof Error && error.cause !== undefined)
    leaked = present.some((secret) => String(error.cause).includes(secret));
  if (!leaked) return error;
  const scrubbed = new Error(redactSecrets(error instanceof Error ? error.message : String(error), present));
  scrubbed.name = error instanceof Error ? error.name : "Error";
  scrubbed.stack = `${scrubbed.name}: ${scrubbed.message}`;
  return scrubbed;
}

/**
 * What the model sees: the last messages of the window that fit the budget, starting at a human message
 * so a tool call is never shown without what asked for it. Never empty while the window has a human turn.
 */
export async function modelView(messages: BaseMessage[], contextTokens: number): Promise<BaseMessage[]> {
  // trimMessages copies every message it keeps (twice a turn, the whole window); a window that fits and
  // starts with a person's message is kept whole by it, so it is handed over as it is.
  const first = messages[0];
  if (first && isHumanMessage(first) && countTokens(messages) <= contextTokens) return inCallOrder(messages);
  const trimmed = await trimMessages(messages, {
    maxTokens: contextTokens,
    tokenCounter: countTokens,
    strategy: "last",
    startOn: "human",
  });
  if (trimmed.length > 0) return inCallOrder(trimmed);
  const lastHuman = messages.findLastIndex((message) => isHumanMessage(message));
  return inCallOrder(lastHuman >= 0 ? messages.slice(lastHuman) : messages);
}

/**
 * Each AI message's tool results in the order of its calls. Refusals are settled (human_review_node)
 * before the approved calls run (run_tool), so the window holds them first; a model that pairs results
 * with calls by position (Gemini's turns carry no ids) would read one call's result as another's.
 */
export function inCallOrder(messages: BaseMessage[]): BaseMessage[] {
  let reordered: BaseMessage[] | null = null;
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index];
    const calls = message && isAIMessage(message) ? (message.tool_calls ?? []) : [];
    if (calls.length < 2) continue;
    let end = index + 1;
    while (end < messages.length && isToolMessage(messages[end])) end += 1;
    const results = messages.slice(index + 1, end);
    const place = new Map(calls.map((call, at) => [call.id, at]));
    const at = (result: BaseMessage) =>
      (isToolMessage(result) ? place.get(result.tool_call_id) : undefined) ?? calls.length;
    const sorted = [...results].sort((a, b) => at(a) - at(b));
    if (sorted.some((result, position) => result !== results[position])) {
      reordered ??= [...messages];
      reordered.splice(index + 1, results.length, ...sorted);
    }
    index = end - 1;
  }
  return reordered ?? messages;
}

function countTokens(messages: BaseMessage[]): number {
  let characters = 0;
  for (const message of messages) {
    characters +=
      typeof message.content === "string" ? message.content.length : JSON.stringify(message.content).length;
    if ("tool_calls" in message && Array.isArray(message.tool_calls))
      characters += JSON.stringify(message.tool_calls).length;
  }
  return Math.ceil(characters / 4);
}
