import { spawn } from "node:child_process";
import { describe, expect } from "vitest";
import { cleanEnv, cliPath } from "../helpers/cli.js";
import { chatAtCard, itInWorld, queueSendMoney, spawnOnTerminal, watchTerminal } from "./reviewFixtures.js";

describe("a review card open in a chat, answered from another terminal", () => {
  itInWorld(
    "closes the card, shows who answered, the decision and what the thread did, and the chat goes on",
    async ({ world, onTestFailed }) => {
      const chat = await chatAtCard(world, "shared", { text: "Anything else?" }, onTestFailed);
      try {
        const elsewhere = world.model("elsewhere", [{ text: "Sent 5 to ann." }]);
        const review = await world.cli([
          "review",
          "shared",
          "--approve",
          "--reviewer",
          "rita",
          "-m",
          elsewhere,
        ]);
        expect(review.code).toBe(0);

        await chat.seen(/Sent 5 to ann\.[\s\S]*joe>/);
        const output = chat.output();
        expect(output).toContain("(answered elsewhere");
        expect(output).toContain(
          "── answered elsewhere by rita: send_money approved; what the thread did there ──",
        );
        expect(output).toMatch(/← send_money: joe sent 5 to ann/);
        expect(output).not.toContain("already answered by someone else");
        expect(output).not.toContain("cancelled at the terminal");

        // The chat goes on in the same thread, which the model sees whole.
        chat.type("thanks\r");
        await chat.seen(/agent: Anything else\?[\s\S]*joe>/);
        chat.type("/quit\r");
        expect(await chat.exited).toBe(0);
      } finally {
        chat.stop();
      }
      expect(world.serverCalls().map((call) => [call.user, call.args])).toEqual([
        ["joe", { to: "ann", amount: 5 }],
      ]);
      const audit = await world.cli(["audit", "--thread", "shared", "--json"]);
      expect(
        (JSON.parse(audit.stdout) as { decision: string; reviewer: string }[]).map((record) => [
          record.decision,
          record.reviewer,
        ]),
      ).toEqual([["approved", "rita"]]);
    },
  );

  itInWorld(
    "asks at once about a review the run resumed elsewhere paused on again",
    async ({ world, onTestFailed }) => {
      const chat = await chatAtCard(world, "twice", { text: "Sent 1 to bob." }, onTestFailed);
      try {
        // There, the model asks for a second payment, which waits for a person (exit 3).
        const again = world.model("again", [
          { tool_calls: [{ name: "send_money", args: { to: "bob", amount: 1 } }] },
        ]);
        const review = await world.cli(["review", "twice", "--approve", "--reviewer", "rita", "-m", again]);
        expect(review.code).toBe(3);

        await chat.seen(/This thread has a review waiting[\s\S]*"to": "bob"[\s\S]*Run send_money\?/);
        expect(chat.output()).toContain("── answered elsewhere by rita: send_money approved;");
        chat.type("yes\r");
        await chat.seen(/agent: Sent 1 to bob\.[\s\S]*joe>/);
        chat.type("/quit\r");
        expect(await chat.exited).toBe(0);
      } finally {
        chat.stop();
      }
      expect(world.serverCalls().map((call) => call.args.to)).toEqual(["ann", "bob"]);
    },
  );

  itInWorld(
    "askfirst review at a terminal: the card closes and nothing is answered there (exit 2)",
    async ({ world, onTestFailed }) => {
      const { threadId } = await queueSendMoney(world);
      const mine = world.model("mine", [{ text: "-" }]);
      const here = watchTerminal(
        spawnOnTerminal(world, ["review", threadId, "--reviewer", "joe", "-m", mine]),
      );
      onTestFailed(() => console.error(`the review's terminal showed:\n${here.output()}`));
      try {
        await here.seen(/Run send_money\?/);
        const theirs = world.model("theirs", [{ text: "Sent 5 to ann." }]);
        const review = await world.cli(["review", threadId, "--approve", "--reviewer", "rita", "-m", theirs]);
        expect(review.code).toBe(0);
        expect(await here.exited).toBe(2);
      } finally {
        here.stop();
      }
      expect(here.output()).toContain("(answered elsewhere");
      expect(here.output()).toMatch(
        new RegExp(
          `the review in thread ${threadId} was answered elsewhere( by rita)? while its card was open here`,
        ),
      );
      expect(world.serverCalls()).toHaveLength(1);
      const audit = await world.cli(["audit", "--thread", threadId, "--json"]);
      expect((JSON.parse(audit.stdout) as { reviewer: string }[]).map((record) => record.reviewer)).toEqual([
        "rita",
      ]);
    },
  );
  itInWorld(
    "asks again when the reviewer who answered elsewhere died while applying it, and never runs the call twice",
    async ({ world, onTestFailed }) => {
      const chat = await chatAtCard(world, "orphaned", { text: "I could not confirm it." }, onTestFailed);
      const release = world.holdCalls();
      const never = world.model("never", [{ text: "Sent." }]);
      const args = ["orphaned", "--approve", "--reviewer", "rita", "-m", never, ...world.connect()];
      const elsewhere = spawn(process.execPath, [cliPath, "review", ...args], {
        cwd: world.folder,
        env: cleanEnv(),
        stdio: "ignore",
      });
      const gone = new Promise((resolve) => elsewhere.on("close", resolve));
      try {
        // rita's claim closes the card here; she dies (kill -9) while the call she approved runs.
        await expect.poll(() => world.serverCalls().length, { timeout: 15_000 }).toBe(1);
        await chat.seen(/answered elsewhere/);
        elsewhere.kill("SIGKILL");
        await gone;
        release();
        await chat.seen(/answered elsewhere[\s\S]*Run send_money\?/);
        chat.type("yes\r");
        await chat.seen(/may have run before a crash[\s\S]*I could not confirm it\.[\s\S]*joe>/);
        chat.type("/quit\r");
        expect(await chat.exited).toBe(0);
      } finally {
        if (elsewhere.exitCode === null) elsewhere.kill("SIGKILL");
        release();
        chat.stop();
      }
      expect(world.serverCalls()).toHaveLength(1);
      const audit = await world.cli(["audit", "--thread", "orphaned", "--json"]);
      // Who made it run comes first; the answer given here after, by this terminal's reviewer.
      const records = JSON.parse(audit.stdout) as { decision: string; reviewer: string; error: string }[];
      expect(records.map((record) => record.decision)).toEqual(["approved", "approved"]);
      expect(records[0]?.reviewer).toBe("rita");
      expect(records[1]?.reviewer).not.toBe("rita");
      expect(records[1]?.error).toMatch(/may have run before a crash/);
    },
  );
});
