import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { readEnv, type Env } from "../config/load.js";
import { UsageError } from "../errors.js";
import type { ModelSpec } from "./spec.js";

export interface AgentModel {
  model: BaseChatModel;
  /** Shown once when the session starts, e.g. that the local model is rules, not AI. */
  banner?: string;
  /** Secrets the client holds (its API key): scrubbed from any error it raises before it is shown or stored. */
  secrets?: string[];
}

export interface ModelOptions {
  /** Tells the person about the model call under way (that it waits out a rate limit); default: nothing. */
  notice?: (line: string) => void;
}

/**
 * The seam where the CLI meets a model: `gemini[:name]`, `scripted:<file.json>` or `local`, as parseModelSpec
 * read it. Each client is imported only when chosen, so commands that never talk to a model never load one.
 */
export async function createModel(
  spec: ModelSpec,
  env: Env,
  options: ModelOptions = {},
): Promise<AgentModel> {
  if (spec.kind === "scripted") {
    const { ScriptedChatModel } = await import("./scripted.js");
    return { model: await ScriptedChatModel.fromFile(spec.file) };
  }
  if (spec.kind === "local") {
    const { LocalRulesModel, localModelBanner } = await import("./local/localModel.js");
    return { model: new LocalRulesModel(), banner: localModelBanner };
  }
  const apiKey = readEnv(env, "GOOGLE_API_KEY");
  if (!apiKey)
    throw new UsageError("the gemini model needs GOOGLE_API_KEY; set it, or use --model local", "model_key");
  const baseUrl = readEnv(env, "GOOGLE_GEMINI_BASE_URL");
  // Checked here, once: otherwise every turn fails with fetch's own words about a URL it built.
  if (baseUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(baseUrl))
    throw new UsageError(
      "GOOGLE_GEMINI_BASE_URL must be an http(s) URL, e.g. https://generativelanguage.googleapis.com",
      "model_base_url",
    );
  const { createGeminiModel } = await import("./geminiModel.js");
  const model = createGeminiModel({
    name: spec.name,
    apiKey,
    ...(baseUrl ? { baseUrl } : {}),
    notice: options.notice ?? (() => undefined),
  });
  return { model, secrets: [apiKey] };
}
