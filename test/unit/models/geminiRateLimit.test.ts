import { HumanMessage } from "@langchain/core/messages";
import type { ChatGoogleGenerativeAI } from "@langchain/google-genai";
import { afterEach, describe, expect, it } from "vitest";
import { createCallLlmNode } from "../../../src/agent/nodes/callLlm.js";
import type { AgentState } from "../../../src/agent/state.js";
import type { Toolbox } from "../../../src/mcp/connect.js";
import { createGeminiModel } from "../../../src/models/geminiModel.js";
import { parseDuration, type RateLimitWaits } from "../../../src/models/geminiRateLimit.js";
import {
  rateLimited,
  startFakeGemini,
  type Answer,
  type Recorded,
  type Refusal,
} from "../../helpers/fakeGemini.js";

const key = "AIzaRateLimitTestKey0042";
const hello: Answer = { parts: [{ text: "hello" }] };
const perMinute = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier";

let servers: { close: () => unknown }[] = [];
afterEach(() => {
  for (const server of servers) server.close();
  servers = [];
});

/**
 * Askfirst's Gemini chat model talking to a fake that answers `replies` in turn, with the waits it asks for recorded, and slept only when `sleepForReal`.
 */
async function geminiAnswering(replies: (Answer | Refusal)[], sleepForReal = false) {
  const recorded: Recorded[] = [];
  const server = await startFakeGemini(recorded, replies);
  servers.push(server);
  const notices: string[] = [];
  const slept: number[] = [];
  const sleep: RateLimitWaits["sleep"] = (ms) => Promise.resolve(slept.push(ms));
  const model = createGeminiModel({
    name: "gemini-2.0-flash",
    apiKey: key,
    baseUrl: `http://127.0.0.1:${server.port}`,
    notice: (line) => notices.push(line),
    ...(sleepForReal ? {} : { sleep }),
  });
  return { model, recorded, notices, slept };
}

const ask = (model: ChatGoogleGenerativeAI, signal?: AbortSignal) =>
  model.invoke([new HumanMessage("hi")], signal ? { signal } : {});

describe("Gemini's rate limit (429 with RetryInfo)", () => {
  it("waits the delay Gemini asked for, says so once, and sends the request again", async () => {
    const gemini = await geminiAnswering([rateLimited("37s", perMinute), hello]);
    const answer = await ask(gemini.model);
    expect(answer.content).toBe("hello");
    expect(gemini.slept).toEqual([37_000]);
    expect(gemini.notices).toEqual([
      `Gemini asked to wait 37 s (rate limit, quota ${perMinute}); trying again then (Ctrl-C cancels)`,
    ]);
    expect(gemini.recorded).toHaveLength(2);
  });

  it("fails at once on a wait longer than a minute, naming the rate limit, the delay and the quota", async () => {
    const daily = "GenerateRequestsPerDayPerProjectPerModel-FreeTier";
    const gemini = await geminiAnswering([rateLimited("3600s", daily), hello]);
    await expect(ask(gemini.model)).rejects.toThrow(
      `Gemini's rate limit (quota ${daily}): it asked to wait 60 min, longer than askfirst waits (60 s); send the message again later`,
    );
    expect(gemini.slept).toEqual([]);
    expect(gemini.notices).toEqual([]);
    // Neither askfirst nor LangChain's own retry sends it again.
    expect(gemini.recorded).toHaveLength(1);
  });

  it("waits twice at most, and no more than a minute in all, then says how long it waited", async () => {
    const often = await geminiAnswering([rateLimited("1s"), rateLimited("1s"), rateLimited("1s"), hello]);
    await expect(ask(often.model)).rejects.toThrow(
      "Gemini's rate limit: still refused after waiting 2 s; it now asks to wait 1 s; send the message again later",
    );
    expect(often.slept).toEqual([1000, 1000]);
    expect(often.recorded).toHaveLength(3);

    const long = await geminiAnswering([rateLimited("40s"), rateLimited("40s"), hello]);
    await expect(ask(long.model)).rejects.toThrow(
      /still refused after waiting 40 s; it now asks to wait 40 s/,
    );
    expect(long.slept).toEqual([40_000]);
    expect(long.recorded).toHaveLength(2);
  });

  it("fails a 429 that names no wait with the rate limit, not LangChain's retry and a raw error", async () => {
    const gemini = await geminiAnswering([rateLimited(undefined, perMinute), hello]);
    await expect(ask(gemini.model)).rejects.toThrow(
      `Gemini's rate limit (quota ${perMinute}): it refused the request (429) and said no time to wait; send the message again later`,
    );
    expect(gemini.recorded).toHaveLength(1);
  });

  it("leaves other errors to LangChain as before: a 500 is retried once, a 400 is not", async () => {
    const broken = { status: 500, error: { code: 500, message: "Internal error" } };
    const failing = await geminiAnswering([broken, broken, hello]);
    await expect(ask(failing.model)).rejects.toThrow(/\[500 Internal Server Error\] Internal error/);
    expect(failing.recorded).toHaveLength(2);
    const bad = await geminiAnswering([{ status: 400, error: { code: 400, message: "Bad turn" } }, hello]);
    await expect(ask(bad.model)).rejects.toThrow(/\[400 Bad Request\] Bad turn/);
    expect(bad.recorded).toHaveLength(1);
    expect(failing.notices.concat(bad.notices)).toEqual([]);
  });

  it("stops waiting as soon as the call's signal aborts, and sends nothing more", async () => {
    const controller = new AbortController();
    // The real timer: a wait that ignored the signal would outlast the test's timeout.
    const gemini = await geminiAnswering([rateLimited("50s"), hello], true);
    const asked = ask(gemini.model, controller.signal);
    await expect.poll(() => gemini.notices.length).toBe(1);
    controller.abort();
    await expect(asked).rejects.toThrow(/abort/i);
    expect(gemini.recorded).toHaveLength(1);
  });

  it("is still bounded by call_llm's timeout, waits included", async () => {
    const gemini = await geminiAnswering([rateLimited("50s"), hello], true);
    const toolbox: Toolbox = { toolsFor: () => Promise.resolve([]), close: () => Promise.resolve() };
    const node = createCallLlmNode({
      model: gemini.model,
      toolbox,
      clock: () => 0,
      contextTokens: 8000,
      timeoutMs: 300,
    });
    const state = { messages: [new HumanMessage({ id: "h", content: "hi" })], actingUser: "joe" };
    await expect(node(state as unknown as AgentState, {})).rejects.toThrow(
      /^the model did not answer within 300 ms/,
    );
    expect(gemini.notices).toHaveLength(1);
    expect(gemini.recorded).toHaveLength(1);
  });

  it("never puts the key in a notice or an error, whatever the server names as its quota", async () => {
    const gemini = await geminiAnswering([
      rateLimited("1s", `quota-of-${key}\nper minute`),
      rateLimited("90s", key),
    ]);
    await expect(ask(gemini.model)).rejects.toThrow(/quota \[redacted\]\): still refused after waiting 1 s/);
    expect(gemini.notices.join("\n")).toContain("quota quota-of-[redacted] per minute)");
    expect(gemini.notices.join("\n")).not.toContain(key);
  });

  it("reads a Duration as Gemini writes it, and nothing else", () => {
    expect(parseDuration("37s")).toBe(37_000);
    expect(parseDuration("0.2s")).toBe(200);
    expect(parseDuration("36.429760048s")).toBe(36_430);
    for (const odd of ["37", "-1s", "soon", 37, undefined]) expect(parseDuration(odd)).toBeUndefined();
  });
});
