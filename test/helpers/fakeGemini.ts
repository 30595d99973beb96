import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  path: string;
  apiKey: string | undefined;
  body: {
    contents: { role: string; parts: Record<string, unknown>[] }[];
    tools?: { functionDeclarations?: { name: string }[] }[];
  };
}

/** An answer of the model (its content's parts, and a finishReason other than STOP if it stopped early). */
export interface Answer {
  parts: object[];
  finishReason?: string;
}

/** An error Gemini answers with: its HTTP status and the body's `error` object. */
export interface Refusal {
  status: number;
  error: object;
}

/**
 * Gemini's 429 RESOURCE_EXHAUSTED as the API sends it: a RetryInfo detail with `retryDelay` (e.g. "37s")
 * and a QuotaFailure naming `quotaId`, each only when given.
 */
export function rateLimited(retryDelay?: string, quotaId?: string): Refusal {
  const details: object[] = [];
  if (quotaId)
    details.push({
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [
        { quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId },
      ],
    });
  if (retryDelay) details.push({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay });
  return {
    status: 429,
    error: {
      code: 429,
      message: "You exceeded your current quota, please check your plan and billing details.",
      status: "RESOURCE_EXHAUSTED",
      details,
    },
  };
}

/**
 * A local stand-in for Gemini's generateContent on 127.0.0.1: `replies` in turn (the last one again once
 * they run out), each request recorded. By default a function call, then text.
 */
export function startFakeGemini(
  recorded: Recorded[],
  replies: (Answer | Refusal)[] = listThenAnswer,
): Promise<Server & { port: number }> {
  const server = createServer((request, response) => {
    void readBody(request).then((text) => {
      recorded.push({
        path: request.url ?? "",
        apiKey: request.headers["x-goog-api-key"] as string | undefined,
        body: JSON.parse(text) as Recorded["body"],
      });
      const reply = replies[Math.min(recorded.length - 1, replies.length - 1)];
      if (reply && "status" in reply) {
        response.writeHead(reply.status, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: reply.error }));
        return;
      }
      const { finishReason = "STOP", ...answer } = reply ?? { parts: [] };
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          candidates: [{ content: { role: "model", ...answer }, finishReason, index: 0 }],
          usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(Object.assign(server, { port: (server.address() as AddressInfo).port })),
    ),
  );
}

const listThenAnswer: Answer[] = [
  { parts: [{ functionCall: { name: "list_resource_instances", args: {} } }] },
  { parts: [{ text: "There are four restaurants, Pizza Palace among them." }] },
];

export async function readBody(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += (chunk as Buffer).toString();
  return text;
}
