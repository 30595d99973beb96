import { getContextVariable, setContextVariable } from "@langchain/core/context";
import { RunnableLambda } from "@langchain/core/runnables";
import {
  Annotation,
  Command,
  END,
  MemorySaver,
  START,
  StateGraph,
  getConfig,
  interrupt,
} from "@langchain/langgraph";
import { RunTree } from "langsmith";
import { describe, expect, it, vi } from "vitest";
import { useLeanRunContext } from "../../../src/agent/runContext.js";

// One file, one process (vitest forks per file): the stock context is seen first, then the lean one.

const State = Annotation.Root({
  seen: Annotation<string[]>({ reducer: (left, right) => [...left, ...right], default: () => [] }),
});

/** A graph whose nodes read what the run context carries: the config, context variables, an interrupt. */
function contextGraph() {
  const child = RunnableLambda.from(() => String(getContextVariable("acting") ?? "none"));
  return new StateGraph(State)
    .addNode("read", async () => {
      setContextVariable("acting", "henry");
      const thread = String(getConfig().configurable?.thread_id);
      return { seen: [`thread ${thread}`, `variable ${await child.invoke({})}`] };
    })
    .addNode("ask", () => {
      const answer = interrupt<string, string>("may I?");
      return { seen: [`answer ${answer}`] };
    })
    .addEdge(START, "read")
    .addEdge("read", "ask")
    .addEdge("ask", END)
    .compile({ checkpointer: new MemorySaver() });
}

async function playThrough(threadId: string): Promise<string[]> {
  const graph = contextGraph();
  const config = { configurable: { thread_id: threadId } };
  const paused = (await graph.invoke({ seen: [] }, config)) as { __interrupt__?: { value: unknown }[] };
  expect(paused.__interrupt__?.[0]?.value).toBe("may I?");
  return (await graph.invoke(new Command({ resume: "yes" }), config)).seen;
}

/** Every RunTree built reads its defaults once (a private static method, spied on by name). */
function spyOnRunTrees() {
  return vi.spyOn(RunTree as unknown as { getDefaultConfig(): unknown }, "getDefaultConfig");
}

describe("the lean run context", () => {
  const expected = (thread: string) => [`thread ${thread}`, "variable henry", "answer yes"];

  it("is not installed when LangSmith tracing is asked for, and the stock context builds run trees", async () => {
    const built = spyOnRunTrees();
    expect(useLeanRunContext({ langSmithTracing: true })).toBe(false);
    expect(await playThrough("stock")).toEqual(expected("stock"));
    expect(built.mock.calls.length).toBeGreaterThan(10);
    built.mockRestore();
  });

  it("carries the config, context variables and interrupts without building any run tree", async () => {
    expect(useLeanRunContext({ langSmithTracing: false })).toBe(true);
    const built = spyOnRunTrees();
    expect(await playThrough("lean")).toEqual(expected("lean"));
    expect(built).not.toHaveBeenCalled();
    built.mockRestore();
  });

  it("is installed once: asking again changes nothing", async () => {
    expect(useLeanRunContext({ langSmithTracing: false })).toBe(true);
    expect(await playThrough("again")).toEqual(expected("again"));
  });
});
