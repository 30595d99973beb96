import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSpinner, pausingReviewer } from "../../../../src/cli/chat/spinner.js";
import type { CliContext } from "../../../../src/cli/context.js";
import type { Reviewer } from "../../../../src/review/decisions.js";
import { terminalInput } from "../../../helpers/terminalInput.js";

function terminalContext(): { ctx: CliContext; written: () => string } {
  // What ora needs of a TTY stream: cursor moves become no-ops, the frames are plain writes.
  const stderr = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 80,
    cursorTo: (_x: number, callback?: () => void) => (callback?.(), true),
    moveCursor: (_dx: number, _dy: number, callback?: () => void) => (callback?.(), true),
    clearLine: (_dir: number, callback?: () => void) => (callback?.(), true),
  });
  let text = "";
  stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const ctx: CliContext = {
    env: {},
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr,
    cwd: process.cwd(),
  };
  return { ctx, written: () => text };
}

describe("chat spinner", () => {
  // ora draws nothing when CI is set or TERM is dumb; these tests play a person's terminal.
  beforeEach(() => {
    vi.stubEnv("CI", undefined);
    vi.stubEnv("TERM", "xterm-256color");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("draws nothing while a reviewer asks the person, and spins again after", async () => {
    const { ctx, written } = terminalContext();
    const spinner = createSpinner(ctx);
    let duringReview = "";
    const asking: Reviewer = {
      name: "joe",
      review: async () => {
        const before = written().length;
        await sleep(400);
        duringReview = written().slice(before);
        return { decisions: [{ type: "approve" }], reviewer: "joe" };
      },
    };
    const reviewer = pausingReviewer(asking, spinner);
    let afterReview = "";
    await spinner.spin(async () => {
      await sleep(200);
      await reviewer.review({} as never);
      const before = written().length;
      await sleep(300);
      afterReview = written().slice(before);
    });
    expect(written()).toContain("thinking…");
    expect(duringReview).not.toContain("thinking…");
    expect(afterReview).toContain("thinking…");
  });

  it("holds the keys typed while it spins, off the terminal's echo, and lets them go while a reviewer asks", async () => {
    const { ctx } = terminalContext();
    const stdin = terminalInput();
    const spinner = createSpinner({ ...ctx, stdin, raiseSignal: () => undefined }, { holdKeys: true });
    const rawMode: boolean[] = [];
    const asking: Reviewer = {
      name: "joe",
      review: () => {
        rawMode.push(stdin.isRaw);
        return Promise.resolve({ decisions: [{ type: "approve" }], reviewer: "joe" });
      },
    };
    await spinner.spin(async () => {
      rawMode.push(stdin.isRaw);
      await pausingReviewer(asking, spinner).review({} as never);
      rawMode.push(stdin.isRaw);
    });
    expect(rawMode).toEqual([true, false, true]);
    expect(stdin.isRaw).toBe(false);
  });

  it("never draws when stderr is not a terminal", async () => {
    const { ctx, written } = terminalContext();
    (ctx.stderr as { isTTY?: boolean }).isTTY = false;
    await createSpinner(ctx).spin(() => sleep(200));
    expect(written()).toBe("");
  });
});
