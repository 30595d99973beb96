import { describe, expect, it } from "vitest";
import {
  decodeOperationReason,
  encodeOperationReason,
} from "../../../../src/server/backends/permit/mapping.js";

describe("operation text carried in Permit's reason", () => {
  it("round-trips any operation text exactly, quotes and newlines included", () => {
    for (const operation of ["order_dish: Truffle Pizza", 'say "hi"\nthen: leave', "", "ünïcødé ✅"]) {
      const text = encodeOperationReason(operation, "because\nreasons");
      expect(decodeOperationReason(text)).toEqual({ operation, reason: "because\nreasons" });
    }
  });

  it("reads a reason written elsewhere (e.g. Permit's own element) as a reason with no operation", () => {
    expect(decodeOperationReason("I need to make a transfer")).toEqual({
      operation: "",
      reason: "I need to make a transfer",
    });
    expect(decodeOperationReason('operation: "unterminated\nrest')).toEqual({
      operation: "",
      reason: 'operation: "unterminated\nrest',
    });
  });
});
