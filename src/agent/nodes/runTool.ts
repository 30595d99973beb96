import { ToolMessage, isToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { describeError } from "../../errors.js";
import type { LoadedTool, Toolbox } from "../../mcp/connect.js";
import { maskSecrets } from "../../review/mask.js";
import { hashArgs } from "../../store/auditChain.js";
import type { AuditLog } from "../../store/types.js";
import { callsOf, errorResult, lastTurn, resultId, type IdentifiedCall } from "../messages.js";
import type { AgentState, CallOutcome, ReviewedCall } from "../state.js";

export interface RunToolDeps {
  toolbox: Toolbox;
  audit: AuditLog;
  clock: () => number;
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
      const reviewed = state.reviewed[call.id];
      // Fail closed: a call human_review_node did not settle never runs.
      if (!reviewed) {
        messages.push(errorResult(call, `${call.name} was not reviewed, so it did not run.`));
        continue;
      }
      const result = await execute(
        call,
        reviewed,
        tools.find((item) => item.tool.name === call.name),
        config,
      );
      messages.push(result.message);
      outcomes.push(toOutcome(call, reviewed, result));
      await deps.audit.append({
        time: new Date(deps.clock()).toISOString(),
        threadId,
        toolCallId: call.id,
        interruptId: reviewed.interruptId,
        actingUser: state.actingUser,
        reviewer: reviewed.reviewer,
        tool: call.name,
        server: reviewed.server,
        args: maskSecrets(call.args),
        argsHash: hashArgs(call.args),
        tier: reviewed.tier,
        rule: reviewed.rule,
        decision: reviewed.decision,
        decideMs: reviewed.decideMs,
        outcome: result.ok ? "ok" : "error",
        error: result.ok ? null : result.error,
        executedArgsHash: hashArgs(reviewed.args),
      });
    }
    return { messages, reviewed: {}, outcomes };
  };
}

type Execution = { ok: true; message: ToolMessage } | { ok: false; message: ToolMessage; error: string };

async function execute(
  call: IdentifiedCall,
  reviewed: ReviewedCall,
  loaded: LoadedTool | undefined,
  config: LangGraphRunnableConfig,
): Promise<Execution> {
  if (!loaded) return failed(call, `the tool ${call.name} is no longer offered by its server`);
  try {
    const output: unknown = await loaded.tool.invoke(
      { name: call.name, args: reviewed.args, id: call.id, type: "tool_call" },
      { signal: config.signal },
    );
    const raw = isToolMessage(output) ? output : null;
    const edited =
      reviewed.decision === "edited"
        ? `\n(The reviewer edited the arguments; it ran with ${JSON.stringify(maskSecrets(reviewed.args))}.)`
        : "";
    const message = new ToolMessage({
      id: resultId(call.id),
      content: `${readableText(raw ? raw.content : output)}${edited}`,
      tool_call_id: call.id,
      name: call.name,
      // The server's structured content stays with the message, for models and tools that read it.
      artifact: raw?.artifact as unknown,
    });
    return { ok: true, message };
  } catch (error) {
    return failed(call, readableToolError(error));
  }
}

function failed(call: IdentifiedCall, error: string): Execution {
  return { ok: false, message: errorResult(call, error), error };
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
export function readableText(content: unknown): string {
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
