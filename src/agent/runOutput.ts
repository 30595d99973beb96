import { isAIMessage, isBaseMessage, type BaseMessage, type StoredMessage } from "@langchain/core/messages";
import { TurnCancelled } from "../errors.js";
import type { AgentGraph } from "./graph.js";
import { toStored } from "./messages.js";
import { answeringKey, type Answering } from "./reviewRequest.js";
import { explainRunFailure, runStepLimit, withCallsBefore } from "./turnFailed.js";
import type { CallOutcome } from "./state.js";

/** What one graph run produced, gathered from its stream of node updates. */
export interface RunOutput {
  messages: StoredMessage[];
  replies: string[];
  calls: CallOutcome[];
  /** The interrupt the run paused on, read from the stream; null when it ran to the end. */
  interrupt: { id: string; value: unknown } | null;
  /** True between human_review_node handing calls to run_tool and run_tool's update: a tool is running. */
  toolsRunning: boolean;
}

export function emptyRunOutput(): RunOutput {
  return { messages: [], replies: [], calls: [], interrupt: null, toolsRunning: false };
}

/**
 * Runs the thread's graph once, to its end or its pause, and gathers what it produced. A cancelled run
 * (the signal) ends in TurnCancelled once `settled` says LangGraph's writes for the thread have stopped:
 * LangGraph checkpoints a cancelled run where it stopped (the next input closes what it left open), but
 * throws before that write ends, or even begins, and the next input (and the note of a withdrawn request)
 * must see it.
 */
export async function runGraph(
  graph: AgentGraph,
  threadId: string,
  input: unknown,
  options: { answering?: Answering; signal?: AbortSignal; settled: () => Promise<void> },
): Promise<RunOutput> {
  const { answering, signal } = options;
  const output = emptyRunOutput();
  try {
    // One checkpoint per run or pause: the state is small (a bounded window), and an interrupt is
    // still checkpointed on exit, so a pending review survives the process.
    const stream = await graph.stream(input as never, {
      configurable: { thread_id: threadId, ...(answering ? { [answeringKey]: answering } : {}) },
      streamMode: "updates",
      durability: "exit",
      recursionLimit: runStepLimit,
      ...(signal ? { signal } : {}),
    });
    await collectRun(stream, output);
  } catch (error) {
    if (!signal?.aborted) throw withCallsBefore(explainRunFailure(error), output.calls);
    await options.settled();
    throw new TurnCancelled(output.toolsRunning, error);
  }
  return output;
}

/**
 * Reads every node's update as it happens, so the transcript gets every message a run produced even when
 * the bounded window has already dropped some of them. Gathers into `output`, so a caller still has it when
 * the stream fails (a cancelled run: what had happened by then).
 */
export async function collectRun(stream: AsyncIterable<unknown>, output: RunOutput): Promise<void> {
  for await (const chunk of stream) {
    if (typeof chunk !== "object" || chunk === null) continue;
    for (const [node, update] of Object.entries(chunk as Record<string, unknown>)) {
      if (node === "__interrupt__") output.interrupt ??= firstInterrupt(update);
      if (node.startsWith("__") || typeof update !== "object" || update === null) continue;
      const { messages, outcomes, reviewed } = update as {
        messages?: unknown;
        outcomes?: CallOutcome[];
        reviewed?: Record<string, unknown>;
      };
      if (node === "human_review_node") output.toolsRunning = Object.keys(reviewed ?? {}).length > 0;
      if (node === "run_tool") output.toolsRunning = false;
      for (const message of toMessages(messages)) {
        output.messages.push(toStored(message));
        const reply = isAIMessage(message) ? textOf(message) : "";
        if (reply) output.replies.push(reply);
      }
      if (Array.isArray(outcomes)) output.calls.push(...outcomes);
    }
  }
}

function firstInterrupt(update: unknown): RunOutput["interrupt"] {
  const first: unknown = Array.isArray(update) ? update[0] : undefined;
  if (typeof first !== "object" || first === null || !("id" in first) || typeof first.id !== "string")
    return null;
  return { id: first.id, value: (first as { value?: unknown }).value };
}

function toMessages(value: unknown): BaseMessage[] {
  const list = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  return list.filter((item): item is BaseMessage => isBaseMessage(item));
}

export function textOf(message: BaseMessage): string {
  if (typeof message.content === "string") return message.content.trim();
  return message.content
    .map((block) =>
      typeof block === "object" && "text" in block && typeof block.text === "string" ? block.text : "",
    )
    .join("")
    .trim();
}
