import { describe, expect, it } from "vitest";
import { customServers } from "../../../src/mcp/connect.js";
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
    expect(servers[0]).toMatchObject({ command: "node", args: ["./bank.js"], env: {} });
  });
});
