import { isAIMessage, isHumanMessage, isToolMessage, type BaseMessage } from "@langchain/core/messages";
import { messagesStateReducer, type Messages } from "@langchain/langgraph";

/**
 * The graph keeps a bounded working window of messages, so a checkpoint's size does not grow with the
 * thread (the full conversation lives in the store's transcript). Appending works like LangGraph's
 * messages reducer (ids replace, RemoveMessage removes); then only the last `size` messages are kept.
 */
export function windowReducer(size: number): (left: BaseMessage[], right: Messages) => BaseMessage[] {
  return (left, right) => keepWindow(messagesStateReducer(left, right), size);
}

/**
 * The window never starts with a ToolMessage (its AI message would be gone) and always keeps the last AI
 * message with everything after it (the calls being reviewed or run): it starts at the first human message
 * inside the limit when there is one, else at the first message that is not a tool result. So it may hold
 * a few more than `size` messages when one AI message has many tool results.
 */
export function keepWindow(messages: BaseMessage[], size: number): BaseMessage[] {
  if (messages.length <= size) return messages;
  const lastAi = messages.findLastIndex((message) => isAIMessage(message));
  const cut = lastAi >= 0 ? Math.min(messages.length - size, lastAi) : messages.length - size;
  const human = messages.findIndex((message, index) => index >= cut && isHumanMessage(message));
  if (human >= 0) return messages.slice(human);
  const start = messages.findIndex((message, index) => index >= cut && !isToolMessage(message));
  return start >= 0 ? messages.slice(start) : messages.slice(-1);
}
