import { describe, expect } from "vitest";
import { runCli } from "../helpers/cli.js";
import { itInWorld, queueSendMoney, type ReviewWorld } from "./reviewFixtures.js";

/** An edit of send_money whose amount is not a number: its input schema refuses it. */
const badEdit = 'edit {"to": "ann", "amount": "three"}';
const doesNotFit =
  /answers file .*bad\.txt, line 2: the edit does not fit send_money's arguments \(amount: .*number.*\); nothing was answered, the review is still pending/;

describe("an answers file whose answer cannot be applied answers nothing", () => {
  /** The thread still waits on its review, nothing ran, and nothing was audited as decided. */
  async function expectStillPending(world: ReviewWorld, threadId: string) {
    expect(world.serverCalls()).toEqual([]);
    expect((await world.cli(["pending", "--json"])).stdout).toContain(threadId);
    expect(JSON.parse((await world.cli(["audit", "--json"])).stdout)).toEqual([]);
  }

  itInWorld(
    "askfirst review --answers with an edit that does not fit the tool: exit 2, the review stays",
    async ({ world }) => {
      const { result: asked, threadId } = await queueSendMoney(world);
      expect(asked.code).toBe(3);
      const answers = world.answers("bad", ["# the amount is spelled out", badEdit]);
      const result = await world.cli([
        ...["review", threadId, "--answers", answers],
        ...["-m", world.model("after", [{ text: "Sent." }])],
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(doesNotFit);
      await expectStillPending(world, threadId);
    },
  );

  itInWorld(
    "a bare edit line is refused before anything is asked: exit 2 naming the file and line",
    async ({ world }) => {
      const { threadId } = await queueSendMoney(world);
      const answers = world.answers("bare", ["# no arguments follow", "edit"]);
      const result = await world.cli([
        ...["review", threadId, "--answers", answers],
        ...["-m", world.model("after", [{ text: "Sent." }])],
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /answers file .*bare\.txt, line 2: edit needs the new arguments on the same line, as a JSON object/,
      );
      await expectStillPending(world, threadId);
    },
  );

  itInWorld(
    "chat -q --answers with that edit stops with exit 2, and its review stays pending",
    async ({ world }) => {
      const answers = world.answers("bad", ["# the amount is spelled out", badEdit]);
      const model = world.model("ask", [
        { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 5 } }] },
      ]);
      const result = await world.cli(
        ["chat", "-t", "thread-bad", "-q", "send ann 5", "-q", "and again"].concat([
          ...["--answers", answers, "-m", model],
        ]),
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(doesNotFit);
      expect(result.stdout).not.toContain("and again");
      await expectStillPending(world, "thread-bad");
    },
  );

  itInWorld(
    "a chat reading lines from a pipe stops there too, instead of failing on every next line",
    async ({ world }) => {
      const answers = world.answers("bad", ["# the amount is spelled out", badEdit]);
      const model = world.model("ask", [
        { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 5 } }] },
      ]);
      const result = await runCli(
        ["chat", "-t", "thread-piped", "--answers", answers, "-m", model, ...world.connect()],
        { cwd: world.folder, input: "send ann 5\nhello\n" },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(doesNotFit);
      expect(result.stdout).not.toContain("hello");
      expect(result.stderr).not.toContain("has a review waiting");
      await expectStillPending(world, "thread-piped");
    },
  );
});
