/** A request as ChatGoogleGenerativeAI hands it to its client (a GenerateContentRequest). */
export type GeminiRequest = { contents?: { role: string; parts: object[] }[] } & Record<string, unknown>;

/** One of the client's two calls: the request, and options that may carry the call's AbortSignal. */
export type GeminiSend = (request: GeminiRequest, options?: unknown) => Promise<unknown>;

/**
 * Replaces each call the chat model makes on its client (generateContent, generateContentStream) by
 * `wrap` of it. The client is a private field of ChatGoogleGenerativeAI: checked, so a version that renames
 * it fails loudly here rather than sending requests no wrapper sees.
 */
export function wrapGeminiClient(model: object, wrap: (send: GeminiSend) => GeminiSend): void {
  const client = (model as { client?: Record<string, unknown> }).client;
  if (
    !client ||
    typeof client.generateContent !== "function" ||
    typeof client.generateContentStream !== "function"
  )
    throw new Error("@langchain/google-genai changed: its chat model holds no client to wrap");
  for (const name of ["generateContent", "generateContentStream"] as const)
    client[name] = wrap((client[name] as GeminiSend).bind(client));
}

/** The AbortSignal in a call's options (`{ signal }`), if it has one. */
export function signalOf(options: unknown): AbortSignal | undefined {
  const signal = (options as { signal?: unknown } | undefined)?.signal;
  return signal instanceof AbortSignal ? signal : undefined;
}
