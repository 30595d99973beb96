// What the agent benchmarks share: a model and a tool that answer instantly, so a turn's time is all
// agent-loop overhead; a session over a SQLite store driven the way `askfirst chat` drives it; and the
// plain design (unbounded messages, default durability) to compare against.
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, isToolMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import {
  Command,
  END,
  interrupt,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { z } from "zod";
import { openSession } from "../dist/agent/session.js";
import { openStore } from "../dist/store/open.js";
import { nowMs } from "./lib.mjs";

/**
 * Answers a person's message with one tool call and a tool result with a short text, at once: one turn is
 * human → AI (tool call) → tool → AI (text), four messages, as in the measurements.
 */
export class InstantModel extends BaseChatModel {
  constructor(call) {
    super({});
    this.call = call;
    this.calls = 0;
  }

  _llmType() {
    return "instant";
  }

  bindTools() {
    return this;
  }

  _generate(messages) {
    this.calls += 1;
    const last = messages.at(-1);
    const message =
      last && isToolMessage(last)
        ? new AIMessage({ content: `Done: ${String(last.content).slice(0, 40)}` })
        : new AIMessage({
            content: "",
            tool_calls: [{ ...this.call, id: `call_${this.calls}`, type: "tool_call" }],
          });
    return Promise.resolve({ generations: [{ text: String(message.content), message }] });
  }
}

export const instantCall = { name: "look_up", args: { item: "pizza-palace" } };

export function instantTool() {
  return tool(({ item }) => `${item} is open until 22:00.`, {
    name: "look_up",
    description: "Look an item up",
    schema: z.object({ item: z.string() }),
  });
}

/** An in-process toolbox offering the instant tool, in the shape the graph gets from MCP servers. */
export function instantToolbox() {
  const loaded = [
    {
      tool: instantTool(),
      server: "bench",
      annotations: { readOnlyHint: true },
      inputSchema: { type: "object", properties: { item: { type: "string" } } },
    },
  ];
  return { toolsFor: () => Promise.resolve(loaded), close: () => Promise.resolve() };
}

export const allowAll = { rules: [{ tool: "*", tier: "allow" }], default: "allow" };

/** A session over a SQLite store, as `askfirst chat` opens one. The caller closes `store`. */
export async function openBenchSession(path, { toolbox, model, policy = allowAll, reviewer }) {
  const store = await openStore(`sqlite:${path}`, { cwd: process.cwd() });
  const session = openSession({ store, model, toolbox, policy, ...(reviewer ? { reviewer } : {}) });
  return { store, session };
}

/** The plain design: an unbounded MessagesAnnotation, ToolNode, SqliteSaver, default durability. */
export function openPlainGraph(path) {
  const model = new InstantModel(instantCall);
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("call_llm", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode("tools", new ToolNode([instantTool()]))
    .addEdge(START, "call_llm")
    .addConditionalEdges("call_llm", toolsCondition, ["tools", END])
    .addEdge("tools", "call_llm")
    .compile({ checkpointer: SqliteSaver.fromConnString(path) });
  return {
    turn: (threadId, text) =>
      graph.invoke({ messages: [new HumanMessage(text)] }, { configurable: { thread_id: threadId } }),
  };
}

/**
 * LangGraph alone, in our graph's shape (call_llm → human_review_node → run_tool → call_llm, each node that
 * branches routing by the Command it returns): nodes that only make the messages, LangGraph's SqliteSaver,
 * durability "exit", and a new thread every 10 turns so its state stays as small as our window. It is the
 * floor under any agent built this way. With `review`, the review node interrupts and each turn resumes it
 * at once with Command({ resume }). Without a `path`, the checkpoints are kept in memory (MemorySaver):
 * LangGraph's own cost with no storage at all.
 */
export function openBareGraph(path, { review }) {
  let calls = 0;
  const graph = new StateGraph(MessagesAnnotation)
    .addNode(
      "call_llm",
      ({ messages }) => {
        calls += 1;
        const answer = isToolMessage(messages.at(-1))
          ? new AIMessage({ id: `ai_${calls}`, content: "Done." })
          : new AIMessage({
              id: `ai_${calls}`,
              content: "",
              tool_calls: [{ ...instantCall, id: `call_${calls}`, type: "tool_call" }],
            });
        const goto = answer.tool_calls?.length ? "human_review_node" : END;
        return new Command({ update: { messages: [answer] }, goto });
      },
      { ends: ["human_review_node", END] },
    )
    .addNode(
      "human_review_node",
      () => {
        if (review && interrupt({ call: instantCall }) !== "yes") return new Command({ goto: "call_llm" });
        return new Command({ goto: "run_tool" });
      },
      { ends: ["run_tool", "call_llm"] },
    )
    .addNode("run_tool", ({ messages }) => {
      const call = messages.at(-1).tool_calls[0];
      return {
        messages: [new ToolMessage({ id: `result_${call.id}`, tool_call_id: call.id, content: "open" })],
      };
    })
    .addEdge(START, "call_llm")
    .addEdge("run_tool", "call_llm")
    .compile({ checkpointer: path === null ? new MemorySaver() : SqliteSaver.fromConnString(path) });
  const drain = async (input, config) => {
    let paused = false;
    for await (const chunk of await graph.stream(input, config)) paused ||= "__interrupt__" in chunk;
    return paused;
  };
  let turn = 0;
  return async () => {
    turn += 1;
    const config = {
      configurable: { thread_id: `bare-${Math.floor(turn / 10)}` },
      durability: "exit",
      streamMode: "updates",
    };
    const started = nowMs();
    const paused = await drain(
      { messages: [new HumanMessage({ id: `human_${turn}`, content: "Open?" })] },
      config,
    );
    if (paused !== review)
      throw new Error(`bare graph: expected ${review ? "a" : "no"} pause at turn ${turn}`);
    if (paused && (await drain(new Command({ resume: "yes" }), config)))
      throw new Error(`bare graph: paused again after the answer at turn ${turn}`);
    return nowMs() - started;
  };
}

/** Times each of `turns` turns; calls `at(turnNumber)` after the turns listed in `checkpoints`. */
export async function timeTurns(turns, runTurn, { checkpoints = [], at = () => undefined } = {}) {
  const times = [];
  for (let turn = 1; turn <= turns; turn += 1) {
    const started = nowMs();
    await runTurn(turn);
    times.push(nowMs() - started);
    if (checkpoints.includes(turn)) await at(turn);
  }
  return times;
}

/** Bytes the SQLite file takes once its write-ahead log is folded in (what a person sees on disk). */
export function storeBytes(path) {
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  let bytes = statSync(path).size;
  try {
    bytes += statSync(`${path}-wal`).size;
  } catch {
    // no write-ahead log left
  }
  return bytes;
}

export const fmtBytes = (bytes) =>
  bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`;
