/**
 * Gemini wants all the results of one answer's function calls in a single user turn, one functionResponse
 * part per call, in the order of the calls: otherwise it pairs them wrongly, or refuses the request (400,
 * "the number of function response parts is equal to the number of function call parts").
 * @langchain/google-genai 2.3 sends each ToolMessage as a turn of its own (its merge of consecutive turns
 * reads one past the end: langchain-ai/langchainjs#10342). Until that is fixed there, the requests its
 * client sends are mended here: consecutive user turns that hold only function responses become one.
 */

interface Content {
  role: string;
  parts: object[];
}

type Request = { contents?: Content[] } & Record<string, unknown>;

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

type Send = (request: Request, options?: unknown) => Promise<unknown>;

/**
 * Wraps the client the chat model holds (a private field of ChatGoogleGenerativeAI: checked, so a version
 * that renames it fails loudly here rather than sending broken turns) so every request it sends is mended.
 */
export function mendGeminiRequests(model: object): void {
  const client = (model as { client?: Record<string, unknown> }).client;
  if (
    !client ||
    typeof client.generateContent !== "function" ||
    typeof client.generateContentStream !== "function"
  )
    throw new Error("@langchain/google-genai changed: its chat model holds no client to mend requests on");
  for (const name of ["generateContent", "generateContentStream"] as const) {
    const send = (client[name] as Send).bind(client);
    client[name] = (request: Request, options?: unknown) =>
      send(
        request.contents ? { ...request, contents: mergeFunctionResponses(request.contents) } : request,
        options,
      );
  }
}
