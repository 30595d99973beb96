import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadTokens, readTokens, tokensByUser } from "../../../../src/server/transports/tokens.js";
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

  it("are held by a client as each user's token, the first listed when a user has several; none is no error there", () => {
    const tokens = readTokens(undefined, {
      ASKFIRST_HTTP_TOKENS: "aaaaaaaa1=joe,bbbbbbbb2=henry,cccccccc3=joe",
    });
    expect([...tokensByUser(tokens)]).toEqual([
      ["joe", "aaaaaaaa1"],
      ["henry", "bbbbbbbb2"],
    ]);
    expect(readTokens(undefined, {}).size).toBe(0);
    expect(() => loadTokens(undefined, {})).toThrow(/serving over HTTP needs bearer tokens/);
  });

  it("explains what is missing or wrong without echoing a token", async () => {
    expect(() => loadTokens(undefined, {})).toThrow(/needs bearer tokens: pass --tokens <file>/);
    expect(() => loadTokens(undefined, { ASKFIRST_HTTP_TOKENS: "short=joe" })).toThrow(
      /entry 1 is invalid: its token is shorter than 8 characters; expected token=user/,
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
    await writeFile(file, "{}");
    expect(() => loadTokens(file, {})).toThrow(/^tokens file .*bad\.json holds no tokens: serving over HTTP/);
    expect(() => loadTokens(join(dir, "missing.json"), {})).toThrow(
      /missing\.json cannot be read \(ENOENT\)/,
    );
    expect(() => loadTokens(dir, {})).toThrow(/cannot be read \(EISDIR\)/);
  });

  it("names the entry and the rule a too-short token breaks, never the token", async () => {
    const messageOf = (load: () => unknown) => {
      try {
        load();
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    };
    const file = join(dir, "short.json");
    await writeFile(file, JSON.stringify({ "a-long-enough-token": "joe", s3cr3t: "henry" }));
    const fromFile = messageOf(() => loadTokens(file, {}));
    expect(fromFile).toMatch(
      /^tokens file .*short\.json, entry 2 is invalid: its token is shorter than 8 characters; expected \{"<token>": "<user>"\}, tokens of at least 8 characters with no spaces$/,
    );
    expect(fromFile).not.toContain("s3cr3t");
    await writeFile(file, JSON.stringify({ "a token with spaces": "joe" }));
    expect(messageOf(() => loadTokens(file, {}))).toMatch(
      /entry 1 is invalid: its token contains whitespace/,
    );
    const fromEnv = messageOf(() =>
      loadTokens(undefined, { ASKFIRST_HTTP_TOKENS: "aaaaaaaa1=joe,s3cr3t=henry" }),
    );
    expect(fromEnv).toMatch(
      /^ASKFIRST_HTTP_TOKENS entry 2 is invalid: its token is shorter than 8 characters;/,
    );
    expect(fromEnv).not.toContain("s3cr3t");
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
