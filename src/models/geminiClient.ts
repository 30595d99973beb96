import { AsyncLocalStorage } from "node:async_hooks";
import { stampRetryable } from "@langchain/core/errors";

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

type Generate = (
  messages: unknown,
  options: { signal?: AbortSignal } | undefined,
  ...rest: unknown[]
) => unknown;

/**
 * Hands each call's AbortSignal to the client. @langchain/google-genai 2.3 drops it on the way when not
 * streaming (its _generate calls completionWithRetry without options), so neither the model timeout nor
 * Ctrl-C stopped a Gemini call, and a wait before a retry could not be cut short. The signal is carried
 * from _generate to the client in an AsyncLocalStorage, one per model, so concurrent calls keep their own.
 * Wrap the client with this last: the wrappers inside it then see the signal in their options. Once the
 * signal aborts, the call ends at once with its reason, and nothing more is sent.
 */
export function passSignalToClient(model: object): void {
  const holder = model as { _generate?: unknown };
  if (typeof holder._generate !== "function")
    throw new Error(
      "@langchain/google-genai changed: its chat model has no _generate to pass signals through",
    );
  const generate = (holder._generate as Generate).bind(model);
  const callSignal = new AsyncLocalStorage<AbortSignal | undefined>();
  holder._generate = ((messages, options, ...rest) =>
    callSignal.run(options?.signal, () => generate(messages, options, ...rest))) satisfies Generate;
  wrapGeminiClient(model, (send) => async (request, options) => {
    const signal = signalOf(options) ?? callSignal.getStore();
    if (signal?.aborted) throw stopped(signal);
    try {
      return await send(request, signal ? { ...(options as object | undefined), signal } : options);
    } catch (error) {
      throw signal?.aborted ? stopped(signal) : error;
    }
  });
}

/**
 * Why the call ended, marked not to be retried: LangChain's retry would otherwise send again, after its
 * backoff, a request the person cancelled (the client's abort error is not one it recognises).
 */
function stopped(signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason : new Error("the model call was aborted");
  return stampRetryable(reason, false);
}
