import { describe, expect, it } from "vitest";
import { mendGeminiRequests, mergeFunctionResponses } from "../../../src/models/geminiTurns.js";

const response = (name: string) => ({ functionResponse: { name, response: { result: name } } });

describe("Gemini turns", () => {
  it("puts the results of one answer's calls in one user turn, in order, and leaves other turns alone", () => {
    const contents = [
      { role: "user", parts: [{ text: "order two" }] },
      { role: "model", parts: [{ functionCall: { name: "a" } }, { functionCall: { name: "b" } }] },
      { role: "user", parts: [response("a")] },
      { role: "user", parts: [response("b")] },
      { role: "model", parts: [{ text: "done" }] },
      { role: "user", parts: [{ text: "thanks" }] },
    ];
    expect(mergeFunctionResponses(contents)).toEqual([
      contents[0],
      contents[1],
      { role: "user", parts: [response("a"), response("b")] },
      contents[4],
      contents[5],
    ]);
  });

  it("mends every request the model's client sends, and fails loudly if the client is not where it was", async () => {
    const sent: unknown[] = [];
    const client = {
      generateContent: (request: unknown) => Promise.resolve(sent.push(request)),
      generateContentStream: (request: unknown) => Promise.resolve(sent.push(request)),
    };
    mendGeminiRequests({ client });
    const contents = [
      { role: "user", parts: [response("a")] },
      { role: "user", parts: [response("b")] },
    ];
    await client.generateContent({ contents });
    await client.generateContentStream({ contents });
    expect(sent).toEqual([
      { contents: [{ role: "user", parts: [response("a"), response("b")] }] },
      { contents: [{ role: "user", parts: [response("a"), response("b")] }] },
    ]);
    expect(() => mendGeminiRequests({})).toThrow(/@langchain\/google-genai changed/);
  });
});
