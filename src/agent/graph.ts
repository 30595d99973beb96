import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { END, START, StateGraph } from "@langchain/langgraph";
import type { Toolbox } from "../mcp/connect.js";
import type { Policy } from "../review/policy.js";
import type { AuditLog } from "../store/types.js";
import { lastTurn } from "./messages.js";
import { createCallLlmNode } from "./nodes/callLlm.js";
import { createHumanReviewNode } from "./nodes/humanReview.js";
import { createRunToolNode } from "./nodes/runTool.js";
import { createAgentState, defaultWindowSize, type AgentState } from "./state.js";

export interface AgentGraphDeps {
  model: BaseChatModel;
  toolbox: Toolbox;
  policy: Policy;
  audit: AuditLog;
  checkpointer?: BaseCheckpointSaver;
  clock?: () => number;
  reviewTimeoutMs?: number | null;
  windowSize?: number;
  contextTokens?: number;
}

/**
 * START → call_llm → (tool calls? human_review_node : END); human_review_node → run_tool or back to
 * call_llm (declared `ends`, so the drawn graph is true); run_tool → call_llm.
 */
export function buildAgentGraph(deps: AgentGraphDeps) {
  const clock = deps.clock ?? Date.now;
  const state = createAgentState(deps.windowSize ?? defaultWindowSize);
  const graph = new StateGraph(state)
    .addNode(
      "call_llm",
      createCallLlmNode({
        model: deps.model,
        toolbox: deps.toolbox,
        clock,
        contextTokens: deps.contextTokens ?? 8000,
      }),
    )
    .addNode(
      "human_review_node",
      createHumanReviewNode({
        toolbox: deps.toolbox,
        policy: deps.policy,
        audit: deps.audit,
        clock,
        reviewTimeoutMs: deps.reviewTimeoutMs ?? null,
      }),
      { ends: ["run_tool", "call_llm"] },
    )
    .addNode("run_tool", createRunToolNode({ toolbox: deps.toolbox, audit: deps.audit, clock }))
    .addEdge(START, "call_llm")
    .addConditionalEdges("call_llm", routeAfterModel, ["human_review_node", END])
    .addEdge("run_tool", "call_llm");
  return graph.compile(deps.checkpointer ? { checkpointer: deps.checkpointer } : {});
}

export type AgentGraph = ReturnType<typeof buildAgentGraph>;

function routeAfterModel(state: AgentState): "human_review_node" | typeof END {
  const { ai } = lastTurn(state.messages);
  return (ai?.tool_calls?.length ?? 0) > 0 ? "human_review_node" : END;
}
