import { isAIMessage, isToolMessage, type BaseMessage, type ToolMessage } from "@langchain/core/messages";
import type { Known } from "./args.js";

/** What earlier tool results in the conversation showed: restaurant keys, dish names and request ids. */
export function collectKnown(messages: BaseMessage[]): Known {
  const known: Known = { keys: [], dishes: [], ids: [], lastIds: [], lastIdsFrom: null };
  for (const message of messages) {
    if (!isToolMessage(message) || message.status === "error") continue;
    const ids: { id: string; open: boolean }[] = [];
    for (const data of resultData(message)) walk(data, known, ids);
    if (ids.length > 0) {
      // "approve it" means the one still open; decided requests are not candidates.
      known.lastIds = ids.filter((item) => item.open).map((item) => item.id);
      known.lastIdsFrom = message.name ?? null;
    }
    known.ids.push(...ids.map((item) => item.id));
  }
  return known;
}

/** The structured content of a tool result when the server sent one, else its text parsed as JSON. */
function resultData(message: ToolMessage): unknown[] {
  const found: unknown[] = [];
  const artifacts: unknown = message.artifact;
  if (Array.isArray(artifacts)) {
    for (const artifact of artifacts as { type?: string; data?: unknown }[])
      if (artifact.type === "mcp_structured_content") found.push(artifact.data);
  }
  if (found.length > 0) return found;
  const text = resultText(message);
  try {
    return [JSON.parse(text)];
  } catch {
    return [];
  }
}

export function resultText(message: BaseMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content
    .map((block) =>
      typeof block === "object" && "text" in block && typeof block.text === "string" ? block.text : "",
    )
    .filter(Boolean)
    .join("\n");
}

function walk(value: unknown, known: Known, ids: { id: string; open: boolean }[]): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, known, ids);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  const record = value as Record<string, unknown>;
  if (typeof record.key === "string" && !known.keys.includes(record.key)) known.keys.push(record.key);
  if (typeof record.id === "string")
    ids.push({ id: record.id, open: record.status === undefined || record.status === "pending" });
  if (
    typeof record.name === "string" &&
    typeof record.price === "number" &&
    !known.dishes.includes(record.name)
  )
    known.dishes.push(record.name);
  for (const inner of Object.values(record)) if (typeof inner === "object") walk(inner, known, ids);
}

/** The tool results the model has not answered yet: those after the last AI message. */
export function unansweredResults(messages: BaseMessage[]): ToolMessage[] {
  const results: ToolMessage[] = [];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message === undefined || isAIMessage(message)) break;
    if (isToolMessage(message)) results.unshift(message);
    else break;
  }
  return results;
}
