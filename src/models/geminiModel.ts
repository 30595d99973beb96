import { ChatGoogleGenerativeAI } from "@langchain/google-genai";
import { passSignalToClient } from "./geminiClient.js";
import { mendGeminiRequests } from "./geminiTurns.js";

export interface GeminiOptions {
  name: string;
  apiKey: string;
  baseUrl?: string;
}

/**
 * Gemini's chat model with its client wrapped: requests mended (geminiTurns), and each call's signal handed
 * to the client (geminiClient), in that order, outermost last.
 * One retry of LangChain's own for the rest (a 500, a dropped connection): a person is waiting.
 */
export function createGeminiModel(options: GeminiOptions): ChatGoogleGenerativeAI {
  const { name, apiKey, baseUrl } = options;
  const model = new ChatGoogleGenerativeAI({
    model: name,
    apiKey,
    maxRetries: 1,
    ...(baseUrl ? { baseUrl } : {}),
  });
  mendGeminiRequests(model);
  passSignalToClient(model);
  return model;
}
