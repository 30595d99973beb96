import { describe, expect, it } from "vitest";
import { allowedHostnames, refuseHost } from "../../../../src/server/transports/hostCheck.js";

const local = allowedHostnames({ host: "127.0.0.1", port: 8787 });

describe("Host and Origin checks", () => {
  it("accepts the loopback names on any port, and requests without an Origin", () => {
    for (const host of ["127.0.0.1:8787", "localhost:8787", "LOCALHOST", "[::1]:8787", "[0:0::1]:80"])
      expect(refuseHost({ host }, local), host).toBeUndefined();
    expect(refuseHost({ host: "127.0.0.1:8787", origin: "http://localhost:6274" }, local)).toBeUndefined();
  });

  it("refuses a rebound name, a missing or malformed Host, and a foreign or opaque Origin", () => {
    expect(refuseHost({ host: "evil.example:8787" }, local)).toBe(
      'Host "evil.example:8787" is not a name this server answers to',
    );
    expect(refuseHost({}, local)).toBe("missing Host header");
    expect(refuseHost({ host: "user@127.0.0.1" }, local)).toMatch(/^Host "user@127.0.0.1" is not/);
    expect(refuseHost({ host: "localhost", origin: "https://evil.example" }, local)).toBe(
      'Origin "https://evil.example" is not a page this server accepts requests from',
    );
    expect(refuseHost({ host: "localhost", origin: "null" }, local)).toMatch(/^Origin "null"/);
    expect(refuseHost({ host: "localhost", origin: "file://localhost/x" }, local)).toMatch(/^Origin/);
  });

  it("escapes and shortens what it quotes, so a header cannot forge log lines", () => {
    const refusal = refuseHost({ host: `evil\n${"x".repeat(200)}` }, local) ?? "";
    expect(refusal).not.toContain("\n");
    expect(refusal.length).toBeLessThan(140);
  });

  it("adds the bound host unless it is a wildcard, and the names given with --allow-host", () => {
    const lan = allowedHostnames({ host: "10.0.0.5", port: 80 }, ["mcp.example.com"]);
    expect(refuseHost({ host: "10.0.0.5" }, lan)).toBeUndefined();
    expect(
      refuseHost({ host: "MCP.example.com:443", origin: "https://mcp.example.com" }, lan),
    ).toBeUndefined();
    expect([...allowedHostnames({ host: "0.0.0.0", port: 80 })]).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect([...allowedHostnames({ host: "::", port: 80 })]).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect(allowedHostnames({ host: "fd00::5", port: 80 }).has("[fd00::5]")).toBe(true);
  });
});
