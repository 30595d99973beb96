import { randomUUID } from "node:crypto";
import type { AIMessage } from "@langchain/core/messages";
import {
  ToolMessage,
  isAIMessage,
  isToolMessage,
  type BaseMessage,
  type StoredMessage,
} from "@langchain/core/messages";
import type { ToolCall } from "@langchain/core/messages/tool";

export type IdentifiedCall = ToolCall & { id: string };

/** The last AI message of the window and the ids of the calls that already have a ToolMessage. */
export function lastTurn(messages: BaseMessage[]): { ai: AIMessage | null; answered: Set<string> } {
  const answered = new Set<string>();
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message === undefined) continue;
    if (isToolMessage(message)) answered.add(message.tool_call_id);
    else if (isAIMessage(message)) return { ai: message, answered };
  }
  return { ai: null, answered };
}

/** The tool calls of an AI message, each with its id (call_llm gives one to any call a model sent without). */
export function callsOf(ai: AIMessage | null): IdentifiedCall[] {
  // call_llm gives every call an id; the fallback is only ever deterministic, so two nodes reading the
  // same message can never disagree on a call's id (a random one would keep it from ever running).
  return (ai?.tool_calls ?? []).map((call, index) => ({
    ...call,
    id: call.id ?? `${ai?.id ?? "ai"}_call_${index}`,
  }));
}

/** A call's result as the model reads it; `artifact` keeps a server's structured content with it. */
export function okResult(call: IdentifiedCall, content: string, artifact?: unknown): ToolMessage {
  const fields = { id: resultId(call.id), content, tool_call_id: call.id, name: call.name };
  return new ToolMessage(artifact === undefined ? fields : { ...fields, artifact });
}

/** The error result a rejected or denied call gets: the model reads the reason and can change course. */
export function errorResult(call: IdentifiedCall, content: string): ToolMessage {
  return new ToolMessage({
    id: resultId(call.id),
    content,
    name: call.name,
    tool_call_id: call.id,
    status: "error",
  });
}

/** Deterministic, so a node that re-runs produces the same message (the transcript skips known ids). */
export function resultId(toolCallId: string): string {
  return `result_${toolCallId}`;
}

export function newMessageId(prefix: string): string {
  return `${prefix}_${randomUUID()}`;
}

/**
 * The stored form of a message with its id. `toDict()` serialises only constructor fields, so an id set
 * afterwards (as call_llm does for models that give none) would be lost without this.
 */
export function toStored(message: BaseMessage): StoredMessage {
  const stored = message.toDict();
  return { type: stored.type, data: { ...stored.data, id: message.id ?? stored.data.id } };
}
