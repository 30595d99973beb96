import type { Toolbox } from "../../mcp/connect.js";
import type { ModelSpec } from "../../models/spec.js";
import type { ExitCode } from "../../errors.js";
import { checkBuiltInData, openAgentRuntime, openToolbox } from "../agentRuntime.js";
import type { CliContext } from "../context.js";
import { warnAboutPolicy } from "../policyReport.js";
import { newThreadId, runChat } from "./run.js";
import { createSpinner, pausingReviewer } from "./spinner.js";
import { checkChatOptions, chooseActingUser, chooseReviewer, type ChatOptions } from "./setup.js";

/** Opens everything `askfirst chat` needs (store, model, servers, policy, reviewer), runs it, closes it. */
export async function startChat(options: ChatOptions, ctx: CliContext): Promise<ExitCode> {
  checkChatOptions(options, ctx.env, ctx.cwd);
  const { parseModelSpec } = await import("../../models/spec.js");
  const modelSpec = parseModelSpec(options.model, ctx.env);
  // Known without reading the store (and checked, before anything opens) unless a thread's user may win.
  const knownUser =
    options.user !== undefined || options.thread === undefined ? chooseActingUser(options, ctx.env) : null;
  const toolbox = await openToolbox(options, ctx);
  // Starting the MCP servers takes ~0.3 s: when the acting user is known, start them now, while the model,
  // store and graph modules load. A failed start is reported on first use. Not on a data folder the
  // built-in server would refuse: openAgentRuntime refuses it (after naming the model's, policy's and
  // store's problems), and a server started anyway would say so too.
  const isDataServable = await checkBuiltInData(options, ctx.cwd).then(
    () => true,
    () => false,
  );
  if (knownUser !== null && isDataServable) toolbox.toolsFor(knownUser).catch(() => undefined);
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
  const spinner = createSpinner(ctx, { holdKeys: !options.query?.length });
  const runtime = await openAgentRuntime(options, ctx, {
    toolbox,
    modelSpec,
    chooseReviewer: async (notice) => pausingReviewer(await chooseReviewer(options, ctx, notice), spinner),
    // Written with the spinner off, so the line is not drawn over it; a notice that cannot be written is
    // lost alone, and the model call goes on.
    modelNotice: (line) =>
      void spinner
        .pause(() => Promise.resolve(ctx.stderr.write(`askfirst: ${line}\n`)))
        .catch(() => undefined),
  });
  const { session, reviewer } = runtime;
  try {
    const threadId = options.thread ?? newThreadId();
    const actingUser =
      (options.user === undefined && options.thread ? await session.actingUser(threadId) : null) ??
      chooseActingUser(options, ctx.env);
    await warnAboutPolicy(runtime.policy, toolbox, actingUser, ctx);
    return await runChat(
      { session, reviewer, spinner, threadId, actingUser, banner: runtime.banner },
      options,
      ctx,
    );
  } finally {
    await runtime.store.close();
  }
}
