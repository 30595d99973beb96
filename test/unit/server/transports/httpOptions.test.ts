import { describe, expect, it } from "vitest";
import { UsageError } from "../../../../src/errors.js";
import { parseHttpLimits } from "../../../../src/server/transports/httpOptions.js";

describe("serve --http limits", () => {
  it("defaults to 30 minutes idle, 100 sessions and 20 of one user", () => {
    expect(parseHttpLimits({ http: "0" })).toEqual({
      sessionIdleMs: 1_800_000,
      maxSessions: 100,
      maxSessionsPerUser: 20,
      allowedHosts: [],
    });
  });

  it("reads the flags", () => {
    expect(
      parseHttpLimits({
        http: "0",
        sessionIdle: "90",
        maxSessions: "3",
        maxSessionsPerUser: "2",
        allowHost: ["MCP.example.com", "[fd00::5]", "10.0.0.5"],
      }),
    ).toEqual({
      sessionIdleMs: 90_000,
      maxSessions: 3,
      maxSessionsPerUser: 2,
      allowedHosts: ["mcp.example.com", "[fd00::5]", "10.0.0.5"],
    });
  });

  it("never lets one user hold more sessions than the server serves", () => {
    expect(parseHttpLimits({ http: "0", maxSessions: "5" }).maxSessionsPerUser).toBe(5);
  });

  it("names the bad flag and what it accepts", () => {
    const cases: [Parameters<typeof parseHttpLimits>[0], RegExp][] = [
      [
        { http: "0", sessionIdle: "0" },
        /^invalid --session-idle "0"; expected a whole number of seconds from 1/,
      ],
      [{ http: "0", sessionIdle: "1.5" }, /^invalid --session-idle "1.5"/],
      [
        { http: "0", maxSessions: "many" },
        /^invalid --max-sessions "many"; expected a whole number of sessions/,
      ],
      [
        { http: "0", maxSessionsPerUser: "0" },
        /^invalid --max-sessions-per-user "0"; expected a whole number of sessions from 1/,
      ],
      [{ maxSessionsPerUser: "2" }, /^--max-sessions-per-user only applies with --http$/],
      [
        { http: "0", allowHost: ["https://mcp.example.com"] },
        /^invalid --allow-host "https:\/\/mcp.example.com"; expected a host name or IP without scheme or port/,
      ],
      [{ http: "0", allowHost: ["mcp.example.com:443"] }, /^invalid --allow-host "mcp.example.com:443"/],
      [
        { maxSessions: "5", allowHost: ["a.example"] },
        /^--max-sessions, --allow-host only applies with --http$/,
      ],
    ];
    for (const [flags, message] of cases) {
      const attempt = () => parseHttpLimits(flags);
      expect(attempt).toThrow(UsageError);
      expect(attempt).toThrow(message);
    }
  });
});
