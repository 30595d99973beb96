import { describe, expect } from "vitest";
import {
  itInWorld,
  queueSendMoney,
  spawnOnTerminal,
  watchTerminal,
  type ReviewWorld,
} from "./reviewFixtures.js";

/**
 * Presses Ctrl-C once the server has the (held) call, so it is under way, and resolves with the command's
 * exit code; the call is then let go and the command killed if it is still running.
 */
async function pressCtrlCOnceCalled(
  world: ReviewWorld,
  terminal: ReturnType<typeof watchTerminal>,
  release: () => void,
): Promise<number | null> {
  try {
    await expect.poll(() => world.serverCalls().length, { timeout: 15_000 }).toBe(1);
    terminal.type("\x03");
    return await terminal.exited;
  } finally {
    release();
    terminal.stop();
  }
}

describe("Ctrl-C while a one-shot command's agent works", () => {
  itInWorld("chat -q stops the turn where it is, runs no later query, and exits 130", async ({ world }) => {
    const model = world.model("queries", [
      { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 5 } }] },
      { text: "Sent." },
      { tool_calls: [{ name: "send_money", args: { to: "bob", amount: 1 } }] },
    ]);
    const answers = world.answers("yes", ["yes", "yes"]);
    const release = world.holdCalls();
    const chat = watchTerminal(
      spawnOnTerminal(world, [
        "chat",
        "-u",
        "joe",
        "-t",
        "one-shot",
        "-m",
        model,
        "--answers",
        answers,
        "-q",
        "send ann 5",
        "-q",
        "send bob 1",
      ]),
    );
    expect(await pressCtrlCOnceCalled(world, chat, release)).toBe(130);
    expect(chat.output()).toMatch(
      /cancelled: the agent stopped while a tool call ran\. It may still have taken effect on its server; the agent is told so with the thread's next message/,
    );
    expect(chat.output()).not.toContain("send bob 1");
    expect(world.serverCalls().map((call) => call.args.to)).toEqual(["ann"]);
    const audit = await world.cli(["audit", "--thread", "one-shot"]);
    expect(audit.stdout).toMatch(/send_money[^\n]*\n?[^\n]*cancelled at the terminal while it ran/);
  });

  itInWorld(
    "askfirst review stops the resumed run where it is and exits 130; the answered review is not asked again",
    async ({ world }) => {
      const { threadId } = await queueSendMoney(world);
      const release = world.holdCalls();
      const model = world.model("after", [{ text: "Sent 5 to ann." }]);
      const review = watchTerminal(spawnOnTerminal(world, ["review", threadId, "--approve", "-m", model]));
      expect(await pressCtrlCOnceCalled(world, review, release)).toBe(130);
      expect(review.output()).toMatch(/cancelled: the agent stopped while a tool call ran\./);
      expect(review.output()).not.toContain("Sent 5 to ann.");
      const pending = await world.cli(["pending", "--json"]);
      expect(JSON.parse(pending.stdout)).toEqual([]);
      // The thread's next message closes the call with what the journal knows, and the model reads it.
      const next = await world.cli([
        "chat",
        "-t",
        threadId,
        "-q",
        "did it go through?",
        "-m",
        world.model("next", [{ text: "It may have." }]),
      ]);
      expect(next.code).toBe(0);
      const history = await world.cli(["chat", "-t", threadId, "-m", world.model("none", [{ text: "-" }])]);
      expect(history.stdout).toMatch(
        /← send_money: send_money was cancelled at the terminal while it ran[^\n]*\nyou: did it go through\?/,
      );
    },
  );
});
