import { describe, expect, it } from "vitest";
import { ExitCode } from "../../../src/errors.js";
import {
  defaultConnectTimeoutMs,
  describeConnectFailure,
  readPoolTarget,
} from "../../../src/store/postgresUrl.js";

describe("readPoolTarget", () => {
  it("takes the schema out of the URL, and lets the schema option win", () => {
    expect(readPoolTarget("postgres://u@h/db?schema=team_a&sslmode=disable", undefined)).toEqual({
      connectionString: "postgres://u@h/db?sslmode=disable",
      schema: "team_a",
      connectTimeoutMs: defaultConnectTimeoutMs,
    });
    expect(readPoolTarget("postgres://u@h/db?schema=team_a", "mine").schema).toBe("mine");
    expect(readPoolTarget("postgres://u@h/db", undefined).schema).toBe("public");
  });

  it("gives up connecting after 10 s unless connect_timeout says otherwise (0 waits for ever)", () => {
    expect(defaultConnectTimeoutMs).toBe(10_000);
    expect(readPoolTarget("postgres://u@h/db?connect_timeout=3", undefined).connectTimeoutMs).toBe(3_000);
    expect(readPoolTarget("postgres://u@h/db?connect_timeout=0", undefined).connectTimeoutMs).toBe(0);
  });

  it("refuses a connect_timeout or schema it cannot use, as a usage error naming it", () => {
    for (const [url, named] of [
      ["postgres://u:pw@h/db?connect_timeout=soon", 'invalid connect_timeout "soon"'],
      ["postgres://u:pw@h/db?connect_timeout=-1", 'invalid connect_timeout "-1"'],
      ["postgres://u:pw@h/db?schema=bad-name", 'invalid PostgreSQL schema "bad-name"'],
    ] as const) {
      const refused = (() => {
        try {
          readPoolTarget(url, undefined);
        } catch (error) {
          return error as { message: string; exitCode: number };
        }
        return null;
      })();
      expect(refused?.exitCode).toBe(ExitCode.usage);
      expect(refused?.message).toContain(named);
      expect(refused?.message).not.toContain("pw");
    }
  });
});

describe("describeConnectFailure", () => {
  it("says how long it waited for a server that never answered, and how to wait longer", () => {
    const said = "no answer within 2 s (connect_timeout=<seconds> in the URL waits longer)";
    expect(describeConnectFailure(new Error("timeout exceeded when trying to connect"), 2_000)).toBe(said);
    expect(describeConnectFailure(new Error("Connection terminated due to connection timeout"), 2_000)).toBe(
      said,
    );
    expect(describeConnectFailure(new Error('role "u" does not exist'), 2_000)).toBe(
      'role "u" does not exist',
    );
  });
});
