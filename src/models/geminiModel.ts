import { ChatGoogleGenerativeAI } from "@langchain/google-genai";
import { passSignalToClient } from "./geminiClient.js";
import { waitOutRateLimits, type RateLimitWaits } from "./geminiRateLimit.js";
import { mendGeminiRequests } from "./geminiTurns.js";

export interface GeminiOptions extends RateLimitWaits {
  name: string;
  apiKey: string;
  baseUrl?: string;
}

/**
 * Gemini's chat model with its client wrapped: requests mended (geminiTurns), short rate limits waited out
 * (geminiRateLimit), and each call's signal handed to the client (geminiClient), in that order, outermost
 * last.
 * One retry of LangChain's own for the rest (a 500, a dropped connection): a person is waiting.
 */
export function createGeminiModel(options: GeminiOptions): ChatGoogleGenerativeAI {
  const { name, apiKey, baseUrl, ...waits } = options;
  const model = new ChatGoogleGenerativeAI({
    model: name,
    apiKey,
    maxRetries: 1,
    ...(baseUrl ? { baseUrl } : {}),
  });
  mendGeminiRequests(model);
  waitOutRateLimits(model, { ...waits, secrets: [...(waits.secrets ?? []), apiKey] });
  passSignalToClient(model);
  return model;
}
