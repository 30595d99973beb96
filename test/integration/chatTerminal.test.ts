import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createReviewWorld, runOnTerminal, type ReviewWorld } from "./reviewFixtures.js";

describe("askfirst chat on a terminal", () => {
  let world: ReviewWorld;
  beforeEach(() => {
    world = createReviewWorld();
  });
  afterEach(() => world.cleanup());

  it("runs every line of a paste, in order, and puts a line pasted without Enter back in the prompt", async () => {
    const model = world.model("replies", [
      { text: "Reply one." },
      { text: "Reply two." },
      { text: "Reply three." },
    ]);
    const result = await runOnTerminal(
      world,
      ["chat", "-u", "joe", "-t", "pasted", "-m", model],
      [
        { after: /joe>/, type: "first line\rsecond line\rthird", enter: false },
        { after: /Reply two\.[\s\S]*joe>/, type: " line" },
        { after: /Reply three\.[\s\S]*joe>/, type: "/quit" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain("✔ joe> second line");
    const history = await world.cli(["chat", "-t", "pasted", "-m", world.model("none", [{ text: "-" }])]);
    const said = history.stdout.match(/^(you|agent): .*/gm);
    expect(said).toEqual([
      "you: first line",
      "agent: Reply one.",
      "you: second line",
      "agent: Reply two.",
      "you: third line",
      "agent: Reply three.",
    ]);
  });
});
