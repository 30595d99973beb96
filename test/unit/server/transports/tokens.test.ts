import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadTokens } from "../../../../src/server/transports/tokens.js";
import { parseListenAddress } from "../../../../src/server/transports/listenAddress.js";

describe("bearer tokens", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "askfirst-tokens-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a tokens file, which wins over the environment", async () => {
    const file = join(dir, "tokens.json");
    await writeFile(file, JSON.stringify({ "secret-for-joe": "joe" }));
    const tokens = loadTokens(file, { ASKFIRST_HTTP_TOKENS: "other-token=henry" });
    expect([...tokens]).toEqual([["secret-for-joe", "joe"]]);
  });

  it("reads token=user pairs from ASKFIRST_HTTP_TOKENS", () => {
    const tokens = loadTokens(undefined, { ASKFIRST_HTTP_TOKENS: "aaaaaaaa1=joe, bbbbbbbb2=henry" });
    expect(tokens.get("aaaaaaaa1")).toBe("joe");
    expect(tokens.get("bbbbbbbb2")).toBe("henry");
  });

  it("explains what is missing or wrong without echoing a token", async () => {
    expect(() => loadTokens(undefined, {})).toThrow(/needs bearer tokens: pass --tokens <file>/);
    expect(() => loadTokens(undefined, { ASKFIRST_HTTP_TOKENS: "short=joe" })).toThrow(
      /entry 1 is invalid; expected token=user/,
    );
    const file = join(dir, "bad.json");
    await writeFile(file, JSON.stringify({ "a-long-enough-token": "not a user!" }));
    let message = "";
    try {
      loadTokens(file, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/tokens file .* is invalid/);
    expect(message).not.toContain("a-long-enough-token");
    await writeFile(file, "{ nope");
    expect(() => loadTokens(file, {})).toThrow(/is not valid JSON/);
  });
});

describe("--http address", () => {
  it("binds 127.0.0.1 unless a host is given", () => {
    expect(parseListenAddress("8787")).toEqual({ host: "127.0.0.1", port: 8787 });
    expect(parseListenAddress("0.0.0.0:80")).toEqual({ host: "0.0.0.0", port: 80 });
    expect(parseListenAddress("[::1]:9000")).toEqual({ host: "::1", port: 9000 });
    expect(() => parseListenAddress("localhost:99999")).toThrow(/expected host:port or port/);
    expect(() => parseListenAddress("http://x")).toThrow(/invalid --http/);
  });
});
