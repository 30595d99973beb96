import { describe, expect, it } from "vitest";
import { customServers, plainHttpWarnings } from "../../../src/mcp/servers.js";
import { splitCommandLine } from "../../../src/mcp/commandLine.js";

describe("--server command lines", () => {
  it("split on spaces, group quotes, and never expand anything", () => {
    expect(splitCommandLine(`node "my server.js" --flag='a b' $HOME \\"x`)).toEqual([
      "node",
      "my server.js",
      "--flag=a b",
      "$HOME",
      '"x',
    ]);
    expect(() => splitCommandLine('node "open')).toThrow(/a " quote is not closed/);
  });

  it("name each server after its script, distinct when repeated", () => {
    const servers = customServers(["node ./bank.js", "node ./bank.js --other", "python3 weather.py -v"]);
    expect(servers.map((server) => server.name)).toEqual(["bank", "bank-2", "weather"]);
    expect(servers[0]).toMatchObject({ kind: "stdio", command: "node", args: ["./bank.js"], env: {} });
  });

  it("refuse a leading NAME=value, naming the variable but never its value", () => {
    const refuse = () => customServers(["GITHUB_TOKEN=ghp_ENVSECRET OTHER=x node slow.mjs"]);
    expect(refuse).toThrow(/--server cannot set environment variables \(GITHUB_TOKEN, OTHER\)/);
    expect(refuse).not.toThrow(/ENVSECRET/);
    // Only leading words: an argument that holds `=` is the server's business.
    expect(customServers(["node server.js --mode=fast"])[0]).toMatchObject({
      args: ["server.js", "--mode=fast"],
    });
    expect(() => splitCommandLine('node s.js --token=ghp_QUOTESECRET "open')).toThrow(
      /--server "node s.js --token=\*\*\* "open": a " quote is not closed/,
    );
  });

  it("reach a URL over Streamable HTTP, named after its host, and refuse a URL that is malformed or carries a password", () => {
    const servers = customServers([
      "http://127.0.0.1:8765/mcp",
      " https://mcp.example.com/mcp ",
      "https://mcp.example.com/other",
    ]);
    expect(servers.map((server) => [server.kind, server.name])).toEqual([
      ["http", "127.0.0.1"],
      ["http", "mcp.example.com"],
      ["http", "mcp.example.com-2"],
    ]);
    expect(String((servers[1] as { url: URL }).url)).toBe("https://mcp.example.com/mcp");
    expect(() => customServers(["http://[nope/mcp"])).toThrow(
      /--server http:\/\/\[nope\/mcp is not a valid URL/,
    );
    expect(() => customServers(["https://ann:secret@example.com/mcp"])).toThrow(
      /must not carry a user or password/,
    );
    expect(() => customServers(["https://ann:secret@example.com/mcp"])).not.toThrow(/secret/);
  });

  it("warn when bearer tokens would cross a network in plain http, and only then", () => {
    const servers = customServers([
      "http://127.0.0.1:8787/mcp",
      "http://localhost:8787/mcp",
      "http://[::1]:8787/mcp",
      "https://mcp.example.com/mcp",
      "http://mcp.example.com:8080/mcp",
      "node server.js",
    ]);
    expect(plainHttpWarnings(servers)).toEqual([
      "bearer tokens go to mcp.example.com:8080 over plain http, readable by anyone on the way; use https",
    ]);
  });
});
