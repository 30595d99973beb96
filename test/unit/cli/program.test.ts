import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parsePositiveInt, parseReviewTimeout } from "../../../src/cli/program.js";

describe("numeric flags", () => {
  it("take whole numbers written in digits only", () => {
    expect(parsePositiveInt("300")).toBe(300);
    for (const bad of ["0", "-5", "1.5", "1e3", "0x10", "", "ten"])
      expect(() => parsePositiveInt(bad), bad).toThrow(InvalidArgumentError);
  });

  it("--review-timeout stops at 24 days, where a terminal's timer would fire at once instead", () => {
    expect(parseReviewTimeout("2073600")).toBe(2_073_600);
    expect(() => parseReviewTimeout("2073601")).toThrow(/at most 2073600 seconds \(24 days\)/);
    expect(() => parseReviewTimeout("3000000")).toThrow(InvalidArgumentError);
  });
});
