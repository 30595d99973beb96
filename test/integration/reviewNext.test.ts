import { describe, expect } from "vitest";
import { openStore } from "../../src/store/open.js";
import {
  chatAtCard,
  itInWorld,
  queueSendMoney,
  runOnTerminal,
  spawnOnTerminal,
  watchTerminal,
  type ReviewWorld,
} from "./reviewFixtures.js";

/** Queues one send_money review per amount, oldest first; returns their threads in that order. */
async function queueReviews(world: ReviewWorld, amounts: number[]): Promise<string[]> {
  const threads: string[] = [];
  for (const amount of amounts) {
    const { result, threadId } = await queueSendMoney(world, {
      flags: ["-u", "joe"],
      args: { to: "ann", amount },
      model: `ask-${amount}`,
    });
    expect(result.code).toBe(3);
    threads.push(threadId);
  }
  return threads;
}

async function pendingThreads(world: ReviewWorld): Promise<string[]> {
  const views = JSON.parse((await world.cli(["pending", "--json"])).stdout) as { threadId: string }[];
  return views.map((view) => view.threadId);
}

describe("askfirst review with no thread", () => {
  itInWorld(
    "asks at the terminal about the oldest review waiting, runs on, and says how many more wait",
    async ({ world }) => {
      const [first, second] = await queueReviews(world, [5, 7]);
      const result = await runOnTerminal(
        world,
        ["review", "--reviewer", "mom", "-m", world.model("after", [{ text: "Sent 5." }])],
        [{ after: /Run send_money\?/, type: "yes" }],
      );
      expect(result.code).toBe(0);
      expect(result.output).toContain(`The oldest review waiting (of 2), in thread ${first}:`);
      expect(result.output).toContain("agent: Sent 5.");
      expect(result.output).toContain("1 more review waits: askfirst review answers the oldest.");
      expect(world.serverCalls()).toEqual([
        { tool: "send_money", user: "joe", args: { to: "ann", amount: 5 } },
      ]);
      expect(await pendingThreads(world)).toEqual([second]);
    },
  );

  itInWorld("passes over a review someone is answering, and says when nothing is left", async ({ world }) => {
    const [first, second] = await queueReviews(world, [5, 7]);
    const store = await openStore(world.store, { cwd: world.folder });
    try {
      const [oldest] = await store.queue.list();
      expect(oldest?.threadId).toBe(first);
      expect(await store.queue.claim(first ?? "", oldest?.interruptId ?? "", "dad")).toBe(true);
    } finally {
      await store.close();
    }
    const answered = await runOnTerminal(
      world,
      ["review", "--reviewer", "mom", "-m", world.model("after", [{ text: "Not sent." }])],
      [
        { after: /Run send_money\?/, type: "no" },
        { after: /Reason/, type: "later" },
      ],
    );
    expect(answered.code).toBe(0);
    expect(answered.output).toContain(`The oldest review waiting, in thread ${second}:`);
    expect(answered.output).toContain('"amount": 7');
    expect(answered.output).not.toContain("more review");
    expect(world.serverCalls()).toEqual([]);
    const none = await runOnTerminal(world, ["review", "-m", world.model("none", [{ text: "-" }])], []);
    expect(none.code).toBe(0);
    expect(none.output).toContain(
      "No review waits for an answer: 1 is being answered (askfirst pending lists it).",
    );
    expect(await pendingThreads(world)).toEqual([first]);
  });

  itInWorld(
    "leaves a review whose card is open in a chat to that chat, which askfirst pending shows",
    async ({ world, onTestFailed }) => {
      const chat = await chatAtCard(world, "busy", { text: "-" }, onTestFailed);
      try {
        // The chat says its card is open at its first look at the queue, a second after it came up.
        await expect
          .poll(async () => (await world.cli(["pending"])).stdout, { timeout: 10_000, interval: 200 })
          .toMatch(/thread busy .* unclaimed, card open for \S+/);
        const views = JSON.parse((await world.cli(["pending", "--json"])).stdout) as { shownTo: unknown }[];
        expect(views.map((view) => typeof view.shownTo)).toEqual(["string"]);
        const [newer] = await queueReviews(world, [7]);
        const result = await runOnTerminal(
          world,
          ["review", "--reviewer", "rita", "-m", world.model("after", [{ text: "Sent 7." }])],
          [{ after: /Run send_money\?/, type: "yes" }],
        );
        expect(result.code).toBe(0);
        expect(result.output).toContain(
          `The oldest review no one else has open (of 2), in thread ${newer}; 1 older one has its card open elsewhere:`,
        );
        expect(world.serverCalls()).toEqual([
          { tool: "send_money", user: "joe", args: { to: "ann", amount: 7 } },
        ]);
        expect(await pendingThreads(world)).toEqual(["busy"]);
      } finally {
        chat.stop();
      }
    },
  );

  itInWorld(
    "takes no decision from the command line and needs a terminal (exit 2); nothing is answered",
    async ({ world }) => {
      const [thread] = await queueReviews(world, [5]);
      for (const flags of [["--approve"], ["--reject", "no"], ["--answers", world.answers("a", ["yes"])]]) {
        const refused = await world.cli(["review", ...flags]);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain(`askfirst: ${flags[0]} needs the thread whose review it answers`);
      }
      const noTerminal = await world.cli(["review", "-m", world.model("x", [{ text: "x" }])]);
      expect(noTerminal.code).toBe(2);
      expect(noTerminal.stderr).toContain("askfirst: no terminal to ask at: name the thread");
      expect(await pendingThreads(world)).toEqual([thread]);
      expect(world.serverCalls()).toEqual([]);
    },
  );
});

describe("askfirst review --follow", () => {
  itInWorld(
    "answers reviews as they come, oldest first, waits for more, and stops on Ctrl-C (exit 130)",
    async ({ world, onTestFailed }) => {
      await queueReviews(world, [5]);
      const model = world.model("after", [{ text: "Sent 5." }, { text: "Sent 7." }]);
      const terminal = watchTerminal(
        spawnOnTerminal(world, ["review", "--follow", "--reviewer", "mom", "-m", model]),
      );
      onTestFailed(() => console.error(`the terminal showed:\n${terminal.output()}`));
      try {
        await terminal.seen(/Run send_money\?/);
        terminal.type("yes\r");
        await terminal.seen(/Sent 5\.[\s\S]*Waiting for reviews \(Ctrl-C stops\)…/);
        const [later] = await queueReviews(world, [7]);
        await terminal.seen(new RegExp(`thread ${later}:[\\s\\S]*Run send_money\\?`));
        terminal.type("yes\r");
        await terminal.seen(/Sent 7\.[\s\S]*Waiting for reviews/);
        terminal.type("\x03");
        expect(await terminal.exited).toBe(130);
      } finally {
        terminal.stop();
      }
      expect(world.serverCalls().map((call) => call.args.amount)).toEqual([5, 7]);
      expect(await pendingThreads(world)).toEqual([]);
    },
  );

  itInWorld(
    "stops after a card is cancelled at the terminal, leaving the rest waiting",
    async ({ world }) => {
      const [, second] = await queueReviews(world, [5, 7]);
      const result = await runOnTerminal(
        world,
        ["review", "--follow", "--reviewer", "mom", "-m", world.model("after", [{ text: "Not sent." }])],
        [{ after: /Run send_money\?/, type: "\x03", enter: false }],
      );
      expect(result.code).toBe(0);
      expect(result.output).toContain(
        "the review was cancelled at the terminal: the remaining call(s) are rejected.",
      );
      expect(result.output).toContain("A card was cancelled: no more reviews are answered here.");
      expect(world.serverCalls()).toEqual([]);
      expect(await pendingThreads(world)).toEqual([second]);
    },
  );

  itInWorld("stops after a card of the resumed run is cancelled, not only the first", async ({ world }) => {
    const [, second] = await queueReviews(world, [5, 7]);
    const model = world.model("after", [
      { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 6 } }] },
      { text: "Stopped there." },
    ]);
    const result = await runOnTerminal(
      world,
      ["review", "--follow", "--reviewer", "mom", "-m", model],
      [
        { after: /Run send_money\?/, type: "yes" },
        { after: /"amount": 6[\s\S]*Run send_money\?/, type: "\x03", enter: false },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain("agent: Stopped there.");
    expect(result.output).toContain("A card was cancelled: no more reviews are answered here.");
    expect(world.serverCalls().map((call) => call.args.amount)).toEqual([5]);
    expect(await pendingThreads(world)).toEqual([second]);
  });

  itInWorld("takes no thread (exit 2)", async ({ world }) => {
    const [thread] = await queueReviews(world, [5]);
    const refused = await world.cli(["review", thread ?? "", "--follow"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "askfirst: --follow answers the reviews that come, whatever their thread",
    );
    expect(await pendingThreads(world)).toEqual([thread]);
  });
});
