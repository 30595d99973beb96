import { describe, expect, it } from "vitest";
import { z } from "zod";
import { langSmithTracingRequested, parseOrThrow, pick, readEnv } from "../../../src/config/load.js";
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
