import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import type { RunnableConfig } from "@langchain/core/runnables";
import { RunTree } from "langsmith";

/**
 * A cheaper run context for LangChain when nobody traces to LangSmith.
 *
 * Every runnable LangGraph and LangChain invoke (each node, each channel writer, each branch, each model
 * and tool call, each chunk of a stream) enters an async-local context. With no LangSmith tracer
 * attached, @langchain/core builds a fresh, never-sent LangSmith `RunTree` for each of them (a
 * time-ordered uuid from the system random source, a timestamp, several environment reads): about 30 a
 * turn, ~30 µs each, 1.5-2 ms of a 7-9 ms agent turn (a session turn timed with and without this, in
 * alternation, in one process).
 *
 * The lean context is the same kind of object at a fraction of the cost: one untraced RunTree is built
 * once, and each context is a thin object over it holding only what differs per run, the config (read
 * back by LangGraph's `getConfig()` and `interrupt()` and by core's config inheritance), its own list of
 * child runs, and the enclosing run's context variables. It is still a RunTree to everything that asks
 * (`isRunTree`, `setContextVariable`, a `traceable` function nested inside), and it never traces.
 * When a LangSmith tracer is attached to a run (LANGSMITH_TRACING and the like, or a tracer among the
 * callbacks) the stock behaviour is used, so tracing works as documented.
 *
 * This replaces a method of the process-wide context provider; it is installed once, and only when the
 * provider still has the shape it was written against (otherwise nothing changes).
 */
export function useLeanRunContext(options: { langSmithTracing: boolean }): boolean {
  if (options.langSmithTracing) return false;
  if (installed) return true;
  const provider = AsyncLocalStorageProviderSingleton as unknown as Provider;
  if (typeof provider.runWithConfig !== "function" || typeof provider.getInstance !== "function")
    return false;
  const stock = provider.runWithConfig.bind(provider);
  const untraced = new RunTree({ name: "<runnable_lambda>", tracingEnabled: false });
  provider.runWithConfig = (config, callback, avoidCreatingRootRunTree) => {
    if (hasTracer(config)) return stock(config, callback, avoidCreatingRootRunTree);
    const storage = provider.getInstance();
    const enclosing = storage.getStore() as Record<symbol, unknown> | undefined;
    const context = Object.create(untraced) as LeanContext;
    context.extra = { [childConfigKey]: config };
    context.child_runs = [];
    const variables = enclosing?.[contextVariablesKey];
    if (variables !== undefined) context[contextVariablesKey] = variables;
    return storage.run(context, callback);
  };
  installed = true;
  return true;
}

let installed = false;

/** Where @langchain/core looks for the config and the context variables in the async-local store. */
const childConfigKey = Symbol.for("lc:child_config");
const contextVariablesKey = Symbol.for("lc:context_variables");

interface LeanContext {
  extra: Record<symbol, unknown>;
  child_runs: unknown[];
  [contextVariablesKey]?: unknown;
}
interface Storage {
  getStore(): unknown;
  run<T>(store: unknown, callback: () => T): T;
}

interface Provider {
  getInstance(): Storage;
  runWithConfig<T>(
    config: RunnableConfig | undefined,
    callback: () => T,
    avoidCreatingRootRunTree?: boolean,
  ): T;
}

/** True when a LangSmith tracer is among the run's callbacks (given as a list or as a manager). */
function hasTracer(config: RunnableConfig | undefined): boolean {
  const callbacks = config?.callbacks as unknown;
  if (callbacks === undefined || callbacks === null) return false;
  const handlers: unknown = Array.isArray(callbacks)
    ? callbacks
    : (callbacks as { handlers?: unknown }).handlers;
  return Array.isArray(handlers) && handlers.some((handler) => isTracer(handler));
}

function isTracer(handler: unknown): boolean {
  return (
    typeof handler === "object" &&
    handler !== null &&
    (handler as { name?: unknown }).name === "langchain_tracer"
  );
}
