import { resolve } from "node:path";
import type { Session } from "../agent/sessionTypes.js";
import { langSmithTracingRequested } from "../config/load.js";
import type { Toolbox } from "../mcp/connect.js";
import type { ModelSpec } from "../models/spec.js";
import type { Policy } from "../review/policy.js";
import type { Reviewer } from "../review/decisions.js";
import type { Store } from "../store/types.js";
import { choosePolicyPath, type ChatOptions } from "./chat/setup.js";
import type { CliContext } from "./context.js";

/**
 * What `chat` and `review` both open to run the agent: they take the same connection flags, and a review
 * resumes a run exactly as the chat that paused it would have gone on.
 */

/**
 * The MCP servers a run talks to: the `--server` command lines and URLs, else the built-in server (with
 * `--demo` and `--data`). A server starts, or is connected to, when a user's tools are first asked for;
 * the caller closes the toolbox. Servers reached by URL get the acting user's token from `--tokens` (or
 * ASKFIRST_HTTP_TOKENS), the same forms `askfirst serve` reads.
 */
export async function openToolbox(
  options: Pick<ChatOptions, "server" | "demo" | "data" | "tokens">,
  ctx: Pick<CliContext, "env" | "cwd" | "stderr">,
): Promise<Toolbox> {
  const [{ createToolbox }, { builtInServer, customServers, plainHttpWarnings }] = await Promise.all([
    import("../mcp/connect.js"),
    import("../mcp/servers.js"),
  ]);
  const servers = options.server?.length
    ? customServers(options.server)
    : [
        builtInServer({
          ...(options.demo ? { demo: options.demo } : {}),
          ...(options.data ? { data: options.data } : {}),
        }),
      ];
  const tokens = servers.some((server) => server.kind === "http")
    ? await userTokens(options, ctx)
    : undefined;
  if (tokens) for (const warning of plainHttpWarnings(servers)) ctx.stderr.write(`askfirst: ${warning}\n`);
  return createToolbox(servers, { debug: Boolean(ctx.env.DEBUG), ...(tokens ? { tokens } : {}) });
}

/**
 * The built-in server refuses a data folder it cannot serve (exit 2, named), but over stdio its refusal
 * reaches the chat only as a closed connection: checked before the server is first started, so the person
 * gets the same words and exit code. `--demo` seeds the folder, so it is checked only for being a folder.
 */
export async function checkBuiltInData(
  options: Pick<ChatOptions, "server" | "demo" | "data">,
  cwd: string,
): Promise<void> {
  if (options.server?.length) return;
  const { checkDataFolder, defaultDataDir } = await import("../server/backends/local/dataFolder.js");
  checkDataFolder(resolve(cwd, options.data ?? defaultDataDir), { isSeeded: Boolean(options.demo) });
}

async function userTokens(
  options: Pick<ChatOptions, "tokens">,
  ctx: Pick<CliContext, "env" | "cwd">,
): Promise<ReadonlyMap<string, string> | undefined> {
  const { readTokens, tokensByUser } = await import("../server/transports/tokens.js");
  const tokens = readTokens(options.tokens && resolve(ctx.cwd, options.tokens), ctx.env);
  return tokens.size > 0 ? tokensByUser(tokens) : undefined;
}

export interface AgentRuntime {
  session: Session;
  store: Store;
  reviewer: Reviewer;
  policy: Policy;
  /** What the model says about itself when it starts (the offline model says it is rules, not AI). */
  banner?: string | undefined;
}

export interface AgentRuntimeParts {
  toolbox: Toolbox;
  modelSpec: ModelSpec;
  /** Builds the reviewer; `notice` prints a note to the person (e.g. that the answers ran out). */
  chooseReviewer: (notice: (line: string) => void) => Promise<Reviewer>;
  clock?: () => number;
  /** Prints a note about the model call under way (a rate limit waited out); default: a line on stderr. */
  modelNotice?: (line: string) => void;
  /** Open only a store askfirst made (`review`): see OpenStoreOptions.existing. */
  existingStore?: boolean;
  /**
   * Leave the built-in server's data folder to be checked later (checkBuiltInData): `review` checks it once
   * it has a review to answer, so that finding none is not an error about a folder it did not need.
   */
  defersDataCheck?: boolean;
}

/**
 * Opens, in this order, the policy, the reviewer, the model and the store, and a session over them and the
 * given toolbox. The caller closes the store (and its toolbox); if anything fails, nothing is left open.
 */
export async function openAgentRuntime(
  options: ChatOptions,
  ctx: CliContext,
  parts: AgentRuntimeParts,
): Promise<AgentRuntime> {
  const [{ loadPolicy }, { chooseStoreSpec, openStore }, { createModel }, { openSession }] =
    await Promise.all([
      import("../review/policyFile.js"),
      import("../store/open.js"),
      import("../models/create.js"),
      import("../agent/session.js"),
    ]);
  const policy = await loadPolicy(choosePolicyPath(options, ctx.cwd));
  const reviewer = await parts.chooseReviewer((line) => ctx.stdout.write(`  note: ${line}\n`));
  const model = await createModel(parts.modelSpec, ctx.env, {
    notice: parts.modelNotice ?? ((line) => ctx.stderr.write(`askfirst: ${line}\n`)),
  });
  const store = await openStore(chooseStoreSpec(options.store, ctx.env), {
    cwd: ctx.cwd,
    existing: parts.existingStore ?? false,
  });
  try {
    // Last, so that the model's, the policy's and the store's own problems are named first.
    if (!parts.defersDataCheck) await checkBuiltInData(options, ctx.cwd);
    const session = openSession({
      store,
      model: model.model,
      ...(model.secrets ? { modelSecrets: model.secrets } : {}),
      toolbox: parts.toolbox,
      policy,
      reviewer,
      reviewTimeoutSeconds: options.reviewTimeout,
      langSmithTracing: langSmithTracingRequested(ctx.env),
      ...(parts.clock ? { clock: parts.clock } : {}),
    });
    return { session, store, reviewer, policy, banner: model.banner };
  } catch (error) {
    await store.close();
    throw error;
  }
}
