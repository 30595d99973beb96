import { describe, expect, it } from "vitest";
import type { CallOutcome } from "../../../../src/agent/state.js";
import { formatCall } from "../../../../src/cli/chat/render.js";

const base: CallOutcome = {
  toolCallId: "call-1",
  tool: "order_dish",
  server: "askfirst",
  tier: "confirm",
  rule: "rule 4 (expensive dish)",
  decision: "approved",
  reviewer: "joe",
  args: { dish_name: "Truffle Pizza" },
  outcome: "ok",
  detail: null,
};

describe("formatCall", () => {
  it("ticks an approved call that ran, naming who approved it and the rule", () => {
    const line = formatCall(base);
    expect(line).toMatch(
      /^ {2}✓ order_dish\(\{"dish_name":"Truffle Pizza"\}\) — approved by joe \[confirm: rule 4/,
    );
  });

  it("crosses a rejected call and shows why it did not run", () => {
    const line = formatCall({ ...base, decision: "rejected", outcome: "not_run", detail: "too expensive" });
    expect(line).toContain("✗ order_dish");
    expect(line).toContain("rejected by joe");
    expect(line).toContain("too expensive");
  });

  it("never ticks a rejection that came after the call had already run", () => {
    const detail = "The rejection came too late: order_dish had already run before a crash.";
    const line = formatCall({ ...base, decision: "rejected", outcome: "ok", detail });
    expect(line).not.toContain("✓");
    expect(line).toContain("! order_dish");
    expect(line).toContain(detail);
  });
});
