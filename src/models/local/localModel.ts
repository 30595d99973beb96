import { randomUUID } from "node:crypto";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, isHumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { fillArgs } from "./args.js";
import { chooseTool, type ToolShape } from "./intent.js";
import { collectKnown, resultText, unansweredResults } from "./known.js";

export const localModelBanner =
  "Using the local model: simple word-matching rules, not AI. Try plain requests such as " +
  '"list restaurants", "ask for child-can-order on pizza-palace because I am hungry", "list access requests", ' +
  '"approve request <id>", "list dishes at pizza-palace", "order Truffle Pizza at pizza-palace", ' +
  '"ask for approval to order Truffle Pizza at pizza-palace because it is my birthday".';

/**
 * An offline stand-in model for the demo when there is no API key. It maps a plain sentence to one of the
 * loaded tools by its words and the tool's schema, and turns tool results back into sentences.
 */
export class LocalRulesModel extends BaseChatModel {
  constructor(private readonly tools: ToolShape[] = []) {
    super({});
  }

  _llmType(): string {
    return "local-rules";
  }

  override bindTools(tools: unknown[]): LocalRulesModel {
    return new LocalRulesModel(tools.map(toShape).filter((tool): tool is ToolShape => tool !== null));
  }

  _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const message = this.reply(messages);
    return Promise.resolve({
      generations: [{ text: typeof message.content === "string" ? message.content : "", message }],
    });
  }

  private reply(messages: BaseMessage[]): AIMessage {
    const results = unansweredResults(messages);
    if (results.length > 0) return new AIMessage(results.map(summarise).join("\n"));
    const last = [...messages].reverse().find(isHumanMessage);
    const text = last ? resultText(last) : "";
    const known = collectKnown(messages);
    // "approve it": the object is whatever the last listing showed (its tool's name words).
    const context = known.lastIdsFrom?.replace(/^[a-z]+_/, "").replace(/_/g, " ") ?? "";
    const tool =
      chooseTool(text, this.tools) ?? (context ? chooseTool(`${text} ${context}`, this.tools) : null);
    if (!tool) return new AIMessage(`I did not understand that. ${helpLine(this.tools)}`);
    const filled = fillArgs(tool, text, known);
    if (!filled.ok)
      return new AIMessage(
        `To use ${tool.name} I need ${filled.missing.join(" and ")}; please say it in your request.`,
      );
    return new AIMessage({
      content: "",
      tool_calls: [{ name: tool.name, args: filled.args, id: `call_${randomUUID()}`, type: "tool_call" }],
    });
  }
}

function summarise(message: BaseMessage & { status?: string; name?: string }): string {
  const what = (message.name ?? "the tool").replace(/_/g, " ");
  const text = resultText(message)
    .replace(/^Error:\s*/, "")
    .replace(/\n Please fix your mistakes\.$/, "");
  if (message.status === "error") return `${capitalise(what)} did not go through: ${text}`;
  return `${capitalise(what)}: ${text}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function helpLine(tools: ToolShape[]): string {
  const names = tools.map((tool) => tool.name.replace(/_/g, " "));
  return names.length > 0 ? `I can: ${names.join(", ")}.` : "No tools are loaded.";
}

function toShape(tool: unknown): ToolShape | null {
  if (typeof tool !== "object" || tool === null) return null;
  const candidate = tool as { name?: unknown; description?: unknown; schema?: unknown };
  if (typeof candidate.name !== "string") return null;
  const schema = typeof candidate.schema === "object" && candidate.schema !== null ? candidate.schema : {};
  return {
    name: candidate.name,
    description: typeof candidate.description === "string" ? candidate.description : "",
    schema: schema as Record<string, unknown>,
  };
}
