import type { Env } from "../../config/load.js";
import type { Toolbox } from "../../mcp/connect.js";
import type { ModelSpec } from "../../models/spec.js";
import type { ExitCode } from "../../errors.js";
import type { CliContext } from "../context.js";
import { newThreadId, runChat } from "./run.js";
import { createSpinner, pausingReviewer } from "./spinner.js";
import {
  checkChatOptions,
  chooseActingUser,
  choosePolicyPath,
  chooseReviewer,
  type ChatOptions,
} from "./setup.js";

/** Opens everything `askfirst chat` needs (store, model, servers, policy, reviewer), runs it, closes it. */
export async function startChat(options: ChatOptions, ctx: CliContext): Promise<ExitCode> {
  checkChatOptions(options);
  const { parseModelSpec } = await import("../../models/spec.js");
  const modelSpec = parseModelSpec(options.model, ctx.env);
  const toolbox = await openToolbox(options, ctx.env);
  // Starting the MCP servers takes ~0.3 s: when the acting user is known without reading the store, start
  // them now, while the model, store and graph modules load. A failed start is reported on first use.
  if (options.user !== undefined || options.thread === undefined)
    toolbox.toolsFor(chooseActingUser(options, ctx.env)).catch(() => undefined);
  try {
    return await chatWith(toolbox, modelSpec, options, ctx);
  } finally {
    await toolbox.close();
  }
}

async function chatWith(
  toolbox: Toolbox,
  modelSpec: ModelSpec,
  options: ChatOptions,
  ctx: CliContext,
): Promise<ExitCode> {
  const [{ loadPolicy }, { chooseStoreSpec, openStore }, { createModel }] = await Promise.all([
    import("../../review/policyFile.js"),
    import("../../store/open.js"),
    import("../../models/create.js"),
  ]);
  const policy = await loadPolicy(choosePolicyPath(options, ctx.cwd));
  const notice = (line: string) => ctx.stdout.write(`  note: ${line}\n`);
  const spinner = createSpinner(ctx);
  const reviewer = pausingReviewer(await chooseReviewer(options, ctx, notice), spinner);
  const model = await createModel(modelSpec, ctx.env);
  const store = await openStore(chooseStoreSpec(options.store, ctx.env), { cwd: ctx.cwd });
  try {
    const { openSession } = await import("../../agent/session.js");
    const session = openSession({
      store,
      model: model.model,
      toolbox,
      policy,
      reviewer,
      reviewTimeoutSeconds: options.reviewTimeout,
    });
    const threadId = options.thread ?? newThreadId();
    const actingUser =
      options.user ??
      (options.thread ? await session.actingUser(threadId) : null) ??
      chooseActingUser(options, ctx.env);
    return await runChat(
      { session, reviewer, spinner, threadId, actingUser, banner: model.banner },
      options,
      ctx,
    );
  } finally {
    await store.close();
  }
}

async function openToolbox(options: ChatOptions, env: Env) {
  const { builtInServer, createToolbox, customServers } = await import("../../mcp/connect.js");
  const servers = options.server?.length
    ? customServers(options.server)
    : [
        builtInServer(env, {
          ...(options.demo ? { demo: options.demo } : {}),
          ...(options.data ? { data: options.data } : {}),
        }),
      ];
  return createToolbox(servers, { debug: Boolean(env.DEBUG) });
}
