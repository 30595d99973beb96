import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { readBody, startFakeGemini, type Recorded } from "../helpers/fakeGemini.js";

let dir: string;
let server: Server | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "askfirst-gemini-"));
});
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** One `chat -q` on the family-food demo, with Gemini served on 127.0.0.1:`port` and `key` as its key. */
function chatWithGemini(port: number, key: string, store: string, query: string) {
  return runCli(
    ["chat", "--demo", "family-food", "--data", join(dir, "data"), "--store", store, "-q", query],
    { cwd: dir, env: { GOOGLE_API_KEY: key, GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:${port}` } },
  );
}

describe("askfirst chat with gemini", () => {
  it("talks generateContent to GOOGLE_GEMINI_BASE_URL, runs the tool it asks for, and never prints the key", async () => {
    const recorded: Recorded[] = [];
    server = await startFakeGemini(recorded);
    const { port } = server.address() as AddressInfo;
    const key = "test-key-do-not-print-7f3a";
    const result = await chatWithGemini(port, key, "memory", "which restaurants are there?");
    expect(result.code).toBe(0);
    expect(recorded).toHaveLength(2);
    expect(recorded[0]?.path).toBe("/v1beta/models/gemini-2.0-flash:generateContent");
    expect(recorded[0]?.apiKey).toBe(key);
    const declared = recorded[0]?.body.tools?.flatMap((tool) => tool.functionDeclarations ?? []) ?? [];
    expect(declared.map((declaration) => declaration.name)).toContain("order_dish");
    const answered = JSON.stringify(recorded[1]?.body.contents);
    expect(answered).toContain("functionResponse");
    expect(answered).toContain("pizza-palace (Pizza Palace)");
    expect(result.stdout).toMatch(/list_resource_instances\(\{\}\) — allowed/);
    expect(result.stdout).toContain("agent: There are four restaurants, Pizza Palace among them.");
    expect(result.stdout + result.stderr).not.toContain(key);
    for (const request of recorded) expect(JSON.stringify(request.body)).not.toContain(key);
  });

  it("sends the results of one answer's calls in one turn, in the order of the calls, as Gemini requires", async () => {
    const recorded: Recorded[] = [];
    const truffle = { resource_instance: "pizza-palace", dish_name: "Truffle Pizza" };
    server = await startFakeGemini(recorded, [
      {
        parts: [
          { functionCall: { name: "list_resource_instances", args: {} } },
          // Needs a person; with no terminal it is refused, before the first call runs.
          { functionCall: { name: "order_dish", args: truffle } },
        ],
      },
      { parts: [{ text: "Listed; the order was not placed." }] },
    ]);
    const { port } = server.address() as AddressInfo;
    const result = await chatWithGemini(port, "test-key-0123456789", "memory", "list and order");
    expect(result.code).toBe(0);
    const turns = recorded[1]?.body.contents ?? [];
    const last = turns.at(-1);
    expect(turns.at(-2)?.role).toBe("model");
    expect(last?.role).toBe("user");
    const names = (last?.parts ?? []).map((part) => (part.functionResponse as { name: string }).name);
    expect(names).toEqual(["list_resource_instances", "order_dish"]);
  });

  it("takes a function call without args (optional in Gemini's API) as one with none", async () => {
    const recorded: Recorded[] = [];
    server = await startFakeGemini(recorded, [
      { parts: [{ functionCall: { name: "list_resource_instances" } }] },
      { parts: [{ text: "Four restaurants." }] },
    ]);
    const { port } = server.address() as AddressInfo;
    const result = await chatWithGemini(port, "test-key-0123456789", "memory", "which restaurants?");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/list_resource_instances\(\{\}\) — allowed/);
    expect(result.stdout).toContain("agent: Four restaurants.");
  });

  it("says so when the model stopped early: an answer cut off, or a tool call it wrote malformed", async () => {
    const recorded: Recorded[] = [];
    server = await startFakeGemini(recorded, [
      { parts: [{ text: "The restaurants are Pizza Pal" }], finishReason: "MAX_TOKENS" },
      { parts: [], finishReason: "MALFORMED_FUNCTION_CALL" },
    ]);
    const { port } = server.address() as AddressInfo;
    const result = await runCli(
      [...["chat", "--demo", "family-food", "--data", join(dir, "data"), "--store", "memory"]].concat([
        ...["-q", "which restaurants?", "-q", "order one"],
      ]),
      {
        cwd: dir,
        env: { GOOGLE_API_KEY: "test-key-0123456789", GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:${port}` },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "agent: The restaurants are Pizza Pal (the answer was cut off: the model reached its output limit)",
    );
    expect(result.stdout).toContain(
      "agent: (the model tried to call a tool but wrote the call malformed; ask again)",
    );
  });

  it("keeps the key out of the error shown and the store when the endpoint quotes it back", async () => {
    // A proxy in front of Gemini that answers 400 and echoes the key it was sent.
    server = createServer((request, response) => {
      void readBody(request).then(() => {
        response.writeHead(400, { "content-type": "application/json" });
        const key = String(request.headers["x-goog-api-key"]);
        response.end(JSON.stringify({ error: { code: 400, message: `API key not valid: ${key}` } }));
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const key = "AIzaEchoedBackSecret9931";
    const store = join(dir, "store.db");
    const result = await chatWithGemini(port, key, `sqlite:${store}`, "hi");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/that turn failed: .*API key not valid: \[redacted\]/);
    expect(result.stdout + result.stderr).not.toContain(key);
    for (const file of await readdir(dir))
      if (file.startsWith("store.db"))
        expect((await readFile(join(dir, file))).includes(key), file).toBe(false);
  });

  it("without GOOGLE_API_KEY, --model gemini is a usage error that says what to do", async () => {
    const result = await runCli(["chat", "--store", "memory", "-m", "gemini", "-q", "hi"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the gemini model needs GOOGLE_API_KEY; set it, or use --model local/);
  });

  it("a GOOGLE_GEMINI_BASE_URL that is not a URL is a usage error before any turn", async () => {
    const result = await runCli(["chat", "--store", "memory", "-m", "gemini", "-q", "hi"], {
      cwd: dir,
      env: { GOOGLE_API_KEY: "AIzaSyNotARealKeyForTests0000", GOOGLE_GEMINI_BASE_URL: "notaurl" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("GOOGLE_GEMINI_BASE_URL must be an http(s) URL");
    expect(result.stdout).not.toContain("you (");
  });
});
