import { wrapGeminiClient, type GeminiRequest } from "./geminiClient.js";

/**
 * Gemini wants all the results of one answer's function calls in a single user turn, one functionResponse
 * part per call, in the order of the calls: otherwise it pairs them wrongly, or refuses the request (400,
 * "the number of function response parts is equal to the number of function call parts").
 * @langchain/google-genai 2.3 sends each ToolMessage as a turn of its own (its merge of consecutive turns
 * reads one past the end: langchain-ai/langchainjs#10342). Until that is fixed there, the requests its
 * client sends are mended here: consecutive user turns that hold only function responses become one.
 */

type Content = NonNullable<GeminiRequest["contents"]>[number];

function isFunctionResponses(content: Content): boolean {
  return (
    content.role === "user" &&
    content.parts.length > 0 &&
    content.parts.every((part) => "functionResponse" in part)
  );
}

/** `contents` with each run of function-response-only user turns merged into one turn. */
export function mergeFunctionResponses(contents: Content[]): Content[] {
  const merged: Content[] = [];
  for (const content of contents) {
    const previous = merged.at(-1);
    if (previous && isFunctionResponses(previous) && isFunctionResponses(content))
      merged[merged.length - 1] = { ...previous, parts: [...previous.parts, ...content.parts] };
    else merged.push(content);
  }
  return merged;
}

/** Wraps the chat model's client so every request it sends is mended. */
export function mendGeminiRequests(model: object): void {
  wrapGeminiClient(
    model,
    (send) => (request, options) =>
      send(
        request.contents ? { ...request, contents: mergeFunctionResponses(request.contents) } : request,
        options,
      ),
  );
}
