import { readEnv, type Env } from "../config/load.js";
import { UsageError } from "../errors.js";

/** A parsed `--model` value. Kept free of model clients so flags can be checked before anything loads. */
export type ModelSpec =
  { kind: "gemini"; name: string } | { kind: "scripted"; file: string } | { kind: "local" };

const defaultGeminiModel = "gemini-2.0-flash";

const modelSpecHelp = "gemini[:<name>], scripted:<file.json> or local";

/** Without `--model`: gemini when GOOGLE_API_KEY is set, otherwise the offline local model. */
export function parseModelSpec(spec: string | undefined, env: Env): ModelSpec {
  const value = spec?.trim() || (readEnv(env, "GOOGLE_API_KEY") ? "gemini" : "local");
  if (value === "local") return { kind: "local" };
  if (value === "gemini") return { kind: "gemini", name: defaultGeminiModel };
  if (value.startsWith("gemini:") && value.length > "gemini:".length)
    return { kind: "gemini", name: value.slice("gemini:".length) };
  if (value.startsWith("scripted:") && value.length > "scripted:".length)
    return { kind: "scripted", file: value.slice("scripted:".length) };
  throw new UsageError(`unknown model "${value}"; expected ${modelSpecHelp}`, "model_spec");
}
