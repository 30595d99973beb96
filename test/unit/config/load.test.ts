import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  langSmithTracingRequested,
  parseOrThrow,
  pick,
  readEnv,
  readEnvFile,
} from "../../../src/config/load.js";
import { UsageError } from "../../../src/errors.js";

describe("config loading", () => {
  it("treats blank env values as unset", () => {
    expect(readEnv({ A: "  " }, "A")).toBeUndefined();
    expect(readEnv({ A: " x " }, "A")).toBe("x");
  });

  it("sees LangSmith tracing asked for by any of LangChain's switches, and only by the value true", () => {
    expect(langSmithTracingRequested({})).toBe(false);
    expect(langSmithTracingRequested({ LANGSMITH_TRACING: "true" })).toBe(true);
    expect(langSmithTracingRequested({ LANGCHAIN_TRACING_V2: " true " })).toBe(true);
    expect(langSmithTracingRequested({ LANGSMITH_TRACING: "false", LANGCHAIN_TRACING: "1" })).toBe(false);
  });

  it("picks the first defined value (flags > env > file > defaults)", () => {
    expect(pick(undefined, "env", "file")).toBe("env");
  });

  it("names each bad field, at most five, on one line", () => {
    const schema = z.object({
      a: z.number(),
      b: z.string(),
      c: z.boolean(),
      d: z.number(),
      e: z.number(),
      f: z.number(),
    });
    const error = (() => {
      try {
        parseOrThrow(schema, {}, "askfirst.json");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as UsageError).message;
    expect(message).toMatch(/^invalid askfirst\.json: a: .*; e: /);
    expect(message).toContain("(+1 more)");
    expect(message).not.toContain("\n");
    expect((error as UsageError).exitCode).toBe(2);
  });
});

describe("a --dotenv file", () => {
  it("gives the variables the environment does not set, as .env files are written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "askfirst-dotenv-"));
    try {
      const path = join(dir, ".env");
      await writeFile(
        path,
        '# the demo\nASKFIRST_USER=joe\nexport ASKFIRST_STORE="memory"\nGOOGLE_API_KEY=\nTENANT=kids # trailing\n',
      );
      expect(readEnvFile(path, { ASKFIRST_USER: "rose", GOOGLE_API_KEY: "" })).toEqual({
        ASKFIRST_STORE: "memory",
        TENANT: "kids",
      });
      expect(readEnvFile(path, {})).toMatchObject({ ASKFIRST_USER: "joe", GOOGLE_API_KEY: "" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("that cannot be read is a usage error naming it", () => {
    expect(() => readEnvFile("/nowhere/.env", {})).toThrow(UsageError);
    expect(() => readEnvFile("/nowhere/.env", {})).toThrow(/cannot read --dotenv \/nowhere\/\.env: ENOENT/);
  });
});
