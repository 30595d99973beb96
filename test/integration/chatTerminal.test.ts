import { describe, expect } from "vitest";
import {
  itInWorld,
  runOnTerminal,
  spawnOnTerminal,
  watchTerminal,
  type ReviewWorld,
} from "./reviewFixtures.js";

describe("askfirst chat on a terminal", () => {
  itInWorld(
    "runs every line of a paste, in order, and puts a line pasted without Enter back in the prompt",
    async ({ world }) => {
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
    },
  );

  itInWorld(
    "answers a review card's reason and new arguments with what was pasted after the answer",
    async ({ world }) => {
      const model = world.model("pasted-review", [
        { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 50 } }] },
        { text: "Not sent." },
        { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 50 } }] },
        { text: "Sent 2 to bob." },
      ]);
      const result = await runOnTerminal(
        world,
        ["chat", "-u", "joe", "--reviewer", "mom", "-t", "pasted-review", "-m", model],
        [
          { after: /joe>/, type: "send ann 50" },
          { after: /Run send_money\?/, type: "no\rtoo much today\r", enter: false },
          { after: /Not sent\.[\s\S]*joe>/, type: "send it to bob instead" },
          // The arguments as the card shows them: JSON over several lines.
          {
            after: /instead[\s\S]*Run send_money\?/,
            type: 'edit\r{\r  "to": "bob",\r  "amount": 2\r}\r',
            enter: false,
          },
          { after: /Sent 2 to bob\.[\s\S]*joe>/, type: "/quit" },
        ],
      );
      expect(result.code).toBe(0);
      expect(result.output).toContain("✔ Reason, for the agent (optional): too much today");
      expect(world.serverCalls().map((call) => call.args)).toEqual([{ to: "bob", amount: 2 }]);
      const audit = JSON.parse((await world.cli(["audit", "--json"])).stdout) as { decision: string }[];
      expect(audit.map((entry) => entry.decision)).toEqual(["rejected", "edited"]);
      const history = await world.cli([
        "chat",
        "-t",
        "pasted-review",
        "-m",
        world.model("none", [{ text: "-" }]),
      ]);
      expect(history.stdout).toContain("Rejected by the reviewer mom: too much today.");
    },
  );

  itInWorld(
    "cancels the turn on Ctrl-C while a tool runs, tells the agent with the next message, and goes on",
    async ({ world }) => {
      const release = world.holdCalls();
      const model = world.model("cancelled", [
        { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 5 } }] },
        { tool_calls: [{ name: "send_money", args: { to: "bob", amount: 1 } }] },
        { text: "Sent 1 to bob." },
      ]);
      const chat = watchTerminal(
        spawnOnTerminal(world, ["chat", "-u", "joe", "-t", "cancelled", "-m", model]),
      );
      try {
        await chat.seen(/joe>/);
        chat.type("send ann 5\r");
        await chat.seen(/Run send_money\?/);
        chat.type("yes\r");
        // Ctrl-C once the server has the call: it is under way, and may yet take effect.
        await expect.poll(() => world.serverCalls().length, { timeout: 15_000 }).toBe(1);
        chat.type("\x03");
        await chat.seen(
          /cancelled: the agent stopped while a tool call ran\. It may still have taken effect[\s\S]*with your next message[\s\S]*joe>/,
        );
        release();
        chat.type("send bob 1\r");
        await chat.seen(/"to": "bob"[\s\S]*Run send_money\?/);
        chat.type("yes\r");
        await chat.seen(/Sent 1 to bob\.[\s\S]*joe>/);
        chat.type("/quit\r");
        expect(await chat.exited).toBe(0);
      } finally {
        chat.stop();
      }
      // The server Ctrl-C reached too was started again for the second call.
      expect(world.serverCalls().map((call) => [call.args.to, call.user])).toEqual([
        ["ann", "joe"],
        ["bob", "joe"],
      ]);
      const history = await world.cli([
        "chat",
        "-t",
        "cancelled",
        "-m",
        world.model("none", [{ text: "-" }]),
      ]);
      expect(history.stdout).toMatch(
        /→ send_money\(\{"to":"ann","amount":5\}\)\n {2}← send_money: send_money was cancelled at the terminal while it ran[^\n]*\nyou: send bob 1\n/,
      );
    },
  );

  itInWorld(
    "shows a line begun while the agent worked in the next prompt at once, before any other key",
    async ({ world, onTestFailed }) => {
      const { chat, release } = chatWithHeldCall(world, "begun", onTestFailed, [
        { text: "Sent 5 to ann." },
        { text: "Fries coming." },
      ]);
      try {
        await workingOnHeldCall(world, chat);
        chat.type("and fri");
        release();
        // The prompt is drawn with the keys in it, with no further key pressed.
        await chat.seen(/Sent 5 to ann\.[\s\S]*joe>[^\n]* and fri/);
        chat.type("es\r");
        await chat.seen(/Fries coming\.[\s\S]*joe>/);
        chat.type("/quit\r");
        expect(await chat.exited).toBe(0);
      } finally {
        chat.stop();
      }
      const history = await world.cli(["chat", "-t", "begun", "-m", world.model("none", [{ text: "-" }])]);
      expect(history.stdout).toContain("you: and fries\n");
    },
  );

  itInWorld(
    "keeps keys typed while the agent works off the spinner's line, and runs their line after",
    async ({ world, onTestFailed }) => {
      const { chat, release } = chatWithHeldCall(world, "typed-on", onTestFailed, [
        { text: "Sent 5 to ann." },
        { text: "Here are the dishes." },
      ]);
      try {
        await workingOnHeldCall(world, chat);
        const typedAt = chat.output().length;
        chat.type("list dishes\r");
        // Two more frames of the spinner: a key echoed by the terminal would be on screen by then.
        await expect
          .poll(() => chat.output().slice(typedAt).split("thinking…").length, { timeout: 15_000 })
          .toBeGreaterThan(2);
        release();
        await chat.seen(/Here are the dishes\.[\s\S]*joe>/);
        const output = chat.output();
        expect(output.slice(typedAt, output.indexOf("Sent 5 to ann."))).not.toContain("list dishes");
        expect(output).toContain("✔ joe> list dishes");
        chat.type("/quit\r");
        expect(await chat.exited).toBe(0);
      } finally {
        chat.stop();
      }
    },
  );

  itInWorld(
    "ends the chat (exit 0) at a Ctrl-D typed on an empty line while the agent works, after the lines before it",
    async ({ world, onTestFailed }) => {
      const { chat, release } = chatWithHeldCall(world, "typed-end", onTestFailed, [
        { text: "Sent 5 to ann." },
        { text: "Here are the dishes." },
      ]);
      try {
        await workingOnHeldCall(world, chat);
        chat.type("list dishes\r\u0004");
        release();
        expect(await chat.exited).toBe(0);
        expect(chat.output()).toMatch(/✔ joe> list dishes[\s\S]*Here are the dishes\./);
      } finally {
        chat.stop();
      }
    },
  );

  itInWorld(
    "sets aside what was typed while the agent worked when a card comes up, and shows it",
    async ({ world, onTestFailed }) => {
      const { chat, release } = chatWithHeldCall(world, "set-aside", onTestFailed, [
        { tool_calls: [{ name: "send_money", args: { to: "bob", amount: 1 } }] },
        { text: "Not sent to bob." },
      ]);
      try {
        await workingOnHeldCall(world, chat);
        chat.type("yes\rhal");
        release();
        await chat.seen(/"to": "bob"[\s\S]*not taken as an answer: "yes ⏎ hal"\)[\s\S]*Run send_money\?/);
        chat.type("no\r");
        await chat.seen(/Reason/);
        chat.type("\r");
        await chat.seen(/Not sent to bob\.[\s\S]*joe>/);
        chat.type("/quit\r");
        expect(await chat.exited).toBe(0);
      } finally {
        chat.stop();
      }
      expect(world.serverCalls().map((call) => call.args.to)).toEqual(["ann"]);
    },
  );
});

/**
 * A chat on a terminal as joe in `thread`, whose model first sends ann 5 (a call the server holds until
 * `release`), then answers with `turns`; the terminal is shown if the test fails.
 */
function chatWithHeldCall(
  world: ReviewWorld,
  thread: string,
  onTestFailed: (report: () => void) => void,
  turns: object[],
) {
  const release = world.holdCalls();
  const first = { tool_calls: [{ name: "send_money", args: { to: "ann", amount: 5 } }] };
  const model = world.model(thread, [first, ...turns]);
  const chat = watchTerminal(spawnOnTerminal(world, ["chat", "-u", "joe", "-t", thread, "-m", model]));
  onTestFailed(() => console.error(`the chat's terminal showed:\n${chat.output()}`));
  return { chat, release };
}

/** Sends ann 5 at the chat's card and waits until the agent works on, its tool call held on the server. */
async function workingOnHeldCall(world: ReviewWorld, chat: ReturnType<typeof watchTerminal>) {
  await chat.seen(/joe>/);
  chat.type("send ann 5\r");
  await chat.seen(/Run send_money\?/);
  chat.type("yes\r");
  await expect.poll(() => world.serverCalls().length, { timeout: 15_000 }).toBe(1);
  const answeredAt = chat.output().length;
  await expect.poll(() => chat.output().slice(answeredAt), { timeout: 15_000 }).toContain("thinking…");
}
