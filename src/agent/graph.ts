import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { isAIMessage, type BaseMessage } from "@langchain/core/messages";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { Command, END, START, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
import type { Toolbox } from "../mcp/connect.js";
import type { Policy } from "../review/policy.js";
import { createMemoryExecutionJournal } from "../store/executions.js";
import type { AuditLog, ExecutionJournal } from "../store/types.js";
import { createCallLlmNode } from "./nodes/callLlm.js";
import { createHumanReviewNode } from "./nodes/humanReview.js";
import { createRunToolNode } from "./nodes/runTool.js";
import {
  createAgentState,
  defaultWindowSize,
  type AgentState,
  type AgentStateAnnotation,
  type AgentUpdate,
} from "./state.js";

export interface AgentGraphDeps {
  model: BaseChatModel;
  toolbox: Toolbox;
  policy: Policy;
  audit: AuditLog;
  /** Where run_tool records each call it starts; without one, a call runs at most once in this process only. */
  executions?: ExecutionJournal;
  checkpointer?: BaseCheckpointSaver;
  clock?: () => number;
  reviewTimeoutMs?: number | null;
  windowSize?: number;
  contextTokens?: number;
  /** Scrubbed from the model's errors (see callLlm.ts). */
  modelSecrets?: string[];
}

/**
 * START → call_llm → (tool calls? human_review_node : END); human_review_node → run_tool or back to
 * call_llm; run_tool → call_llm. call_llm and human_review_node route by the Command they return, each
 * declaring where it may go (`ends`), so the drawn graph is true.
 */
export function buildAgentGraph(deps: AgentGraphDeps) {
  const clock = deps.clock ?? Date.now;
  const { model, toolbox, policy, audit } = deps;
  const journal = deps.executions ?? createMemoryExecutionJournal();
  const graph = assemble(createAgentState(deps.windowSize ?? defaultWindowSize), {
    callLlm: createCallLlmNode({
      model,
      toolbox,
      clock,
      contextTokens: deps.contextTokens ?? 8000,
      secrets: deps.modelSecrets ?? [],
    }),
    humanReview: createHumanReviewNode({
      toolbox,
      policy,
      audit,
      journal,
      clock,
      reviewTimeoutMs: deps.reviewTimeoutMs ?? null,
    }),
    runTool: createRunToolNode({
      toolbox,
      audit,
      journal,
      clock,
    }),
  });
  return graph.compile(deps.checkpointer ? { checkpointer: deps.checkpointer } : {});
}

/** What call_llm adds to the state: the model's answer. */
type ModelAnswer = Omit<AgentUpdate, "messages"> & { messages: BaseMessage[] };

type Node<T> = (state: AgentState, config: LangGraphRunnableConfig) => Promise<T>;

/** The one place the graph's shape is written: the agent runs it and `askfirst graph` draws it. */
function assemble(
  state: AgentStateAnnotation,
  nodes: { callLlm: Node<ModelAnswer>; humanReview: Node<Command>; runTool: Node<AgentUpdate> },
) {
  // call_llm's route goes with its answer (a Command) rather than on a conditional edge: an edge is one more
  // runnable each turn, reading the state back, ~0.45 ms of a ~6 ms turn of LangGraph alone (measured
  // in alternation with the edge, on this graph's shape with checkpoints in memory).
  const callLlm: Node<Command> = async (state, config) => {
    const update = await nodes.callLlm(state, config);
    return new Command({ update, goto: routeAfterModel(update) });
  };
  return new StateGraph(state)
    .addNode("call_llm", callLlm, { ends: ["human_review_node", END] })
    .addNode("human_review_node", nodes.humanReview, { ends: ["run_tool", "call_llm"] })
    .addNode("run_tool", nodes.runTool)
    .addEdge(START, "call_llm")
    .addEdge("run_tool", "call_llm");
}

/** The graph as Mermaid text, drawn offline (no image service, no model, no server). */
export async function agentGraphMermaid(): Promise<string> {
  const idle = () => Promise.reject(new Error("this graph is built for drawing only"));
  const graph = assemble(createAgentState(), { callLlm: idle, humanReview: idle, runTool: idle }).compile();
  return (await graph.getGraphAsync()).drawMermaid();
}

export type AgentGraph = ReturnType<typeof buildAgentGraph>;

/** To review when the model's answer asks for tools, else the run ends. */
function routeAfterModel(update: ModelAnswer): "human_review_node" | typeof END {
  const asked = update.messages.some(
    (message) => isAIMessage(message) && (message.tool_calls?.length ?? 0) > 0,
  );
  return asked ? "human_review_node" : END;
}
