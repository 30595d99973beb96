import { describe, expect, it } from "vitest";
import { checkChatOptions } from "../../../src/cli/chat/setup.js";
import { checkReviewerName, checkThreadId } from "../../../src/cli/identifiers.js";
import { usageErrorOf } from "../../helpers/usageError.js";

describe("thread ids and reviewer names as given", () => {
  it("keeps printable ones as they are", () => {
    expect(checkThreadId("thread-1a2b3c4d", "-t")).toBe("thread-1a2b3c4d");
    expect(checkThreadId("Familie Müller, Küche", "-t")).toBe("Familie Müller, Küche");
    expect(checkReviewerName("Jane Doe", "--reviewer")).toBe("Jane Doe");
  });

  it("refuses empty ones, naming the flag (exit 2)", () => {
    const empty = usageErrorOf(() => checkThreadId("", "-t"));
    expect(empty.exitCode).toBe(2);
    expect(empty.message).toBe("-t is empty: give a thread id");
    expect(usageErrorOf(() => checkReviewerName("  ", "--reviewer")).message).toContain(
      "--reviewer is empty",
    );
  });

  it("refuses line breaks, escape codes and invisible characters, which could forge lines in pending or audit", () => {
    for (const forged of [
      "evil\nNo reviews are pending.",
      "x\u001b[2K",
      "a\u202eb",
      "zero\u200bwidth",
      "l\u2028s",
    ])
      expect(usageErrorOf(() => checkThreadId(forged, "the thread")).message).toMatch(
        /^the thread holds a control or invisible character/,
      );
    expect(usageErrorOf(() => checkReviewerName("joe\n#2 fake record", "--reviewer")).message).toMatch(
      /^--reviewer holds a control/,
    );
  });

  it("refuses the names askfirst records when no person decided, and overlong values", () => {
    expect(usageErrorOf(() => checkReviewerName("askfirst (timeout)", "--reviewer")).message).toContain(
      "the name askfirst records when no person decided",
    );
    for (const reserved of ["nobody (no terminal)", "nobody (answers ran out)"])
      expect(usageErrorOf(() => checkReviewerName(reserved, "--reviewer")).message).toContain(
        "give your own",
      );
    expect(usageErrorOf(() => checkThreadId("t".repeat(201), "-t")).message).toBe(
      "-t is 201 characters long: at most 200",
    );
  });
});

describe("chat flags checked before anything opens", () => {
  const base = { reviewTimeout: 300, onReview: "queue" as const };

  it("refuses --on-review queue on a memory store, from --store or ASKFIRST_STORE: the review would die with the process", () => {
    for (const [store, env] of [
      ["memory", {}],
      [undefined, { ASKFIRST_STORE: "memory" }],
    ] as const) {
      const error = usageErrorOf(() => checkChatOptions({ ...base, ...(store ? { store } : {}) }, env, "/"));
      expect(error.message).toMatch(/^--on-review queue leaves reviews in the store .* a memory store ends/);
    }
    expect(() => checkChatOptions({ ...base, store: "sqlite:x.db" }, {}, "/")).not.toThrow();
    expect(() => checkChatOptions({ ...base, onReview: "ask", store: "memory" }, {}, "/")).not.toThrow();
  });

  it("refuses a bad -t or --reviewer before the model runs, so no review is left behind", () => {
    expect(usageErrorOf(() => checkChatOptions({ ...base, thread: "" }, {}, "/")).message).toBe(
      "-t is empty: give a thread id",
    );
    expect(usageErrorOf(() => checkChatOptions({ ...base, reviewer: "" }, {}, "/")).message).toContain(
      "--reviewer is empty",
    );
  });
});
