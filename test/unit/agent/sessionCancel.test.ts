import { AIMessage, isToolMessage, type BaseMessage } from "@langchain/core/messages";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ChatResult } from "@langchain/core/outputs";
import { tool } from "@langchain/core/tools";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { isCancelledNote } from "../../../src/agent/cancelledRequest.js";
import { openSession } from "../../../src/agent/session.js";
import { TurnCancelled } from "../../../src/errors.js";
import type { LoadedTool, Toolbox } from "../../../src/mcp/connect.js";
import type { Reviewer } from "../../../src/review/decisions.js";
import type { Policy } from "../../../src/review/policy.js";
import type { Store } from "../../../src/store/types.js";
import { everyHarness, sqliteHarness, type StoreHarness } from "../store/harness.js";

/**
 * Cancelling a turn (Ctrl-C at the chat): the run stops where it is, and the thread goes on. What the model
 * is shown next must be whole: no call without its result.
 */

type Turn = { text: string } | { call: string };

/** Plays `turns`; records what it was shown each time; `hold` makes a call wait until it is cancelled. */
class RecordingModel extends BaseChatModel {
  readonly shown: BaseMessage[][] = [];
  hold: (() => void) | null = null;
  private next = 0;

  constructor(private readonly turns: Turn[]) {
    super({});
  }

  _llmType() {
    return "recording";
  }

  override bindTools() {
    return this;
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.shown.push(messages);
    if (this.hold) {
      this.hold();
      await new Promise((_resolve, reject) =>
        options.signal?.addEventListener("abort", () => reject(new Error("model call aborted"))),
      );
    }
    const turn = this.turns[this.next++];
    if (!turn) throw new Error("the recording model ran out of turns");
    const message =
      "text" in turn
        ? new AIMessage({ content: turn.text })
        : new AIMessage({
            content: "",
            tool_calls: [{ name: turn.call, args: {}, id: `call_${this.next}` }],
          });
    return { generations: [{ text: "", message }] };
  }
}

/**
 * `slow` runs until cancelled (telling `started`); `plain` and `quick` (which the policy has a person
 * confirm) answer at once; `ran` lists what finished.
 */
function slowToolbox() {
  const state = { started: () => undefined as void, ran: [] as string[] };
  const loaded = (name: string, run: (signal?: AbortSignal) => Promise<string>): LoadedTool => ({
    tool: tool((_input, config: { signal?: AbortSignal }) => run(config.signal), {
      name,
      description: name,
      schema: z.object({}),
    }),
    server: "test",
    annotations: undefined,
    inputSchema: { type: "object", properties: {} },
  });
  const tools = [
    loaded("slow", (signal) => {
      state.started();
      return new Promise((_resolve, reject) =>
        signal?.addEventListener("abort", () => reject(new Error("tool call aborted"))),
      );
    }),
    loaded("plain", () => {
      state.ran.push("plain");
      return Promise.resolve("plain result");
    }),
    loaded("quick", () => {
      state.ran.push("quick");
      return Promise.resolve("quick result");
    }),
  ];
  const toolbox: Toolbox = { toolsFor: () => Promise.resolve(tools), close: () => Promise.resolve() };
  return { toolbox, state };
}

const policy: Policy = { rules: [{ tool: "quick", tier: "confirm" }], default: "allow" };

let harness: StoreHarness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

/** A session on a new store of the given kind (each checkpointer stops a cancelled run in its own way). */
async function setUp(makeHarness: () => StoreHarness, turns: Turn[], reviewer?: Reviewer) {
  harness = makeHarness();
  const store = await harness.open();
  const model = new RecordingModel(turns);
  const { toolbox, state } = slowToolbox();
  const session = openSession({ store, model, toolbox, policy, ...(reviewer ? { reviewer } : {}) });
  return { session, store, model, tools: state };
}

/** Whether the cancelled turn says a tool call was under way. */
async function expectCancelled(promise: Promise<unknown>, toolUnderWay: boolean): Promise<void> {
  const error: unknown = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TurnCancelled);
  expect(error).toMatchObject({ code: "cancelled", toolUnderWay });
}

/**
 * Waits for a cancelled run_tool's last writes to land, as they do while the person types on: the journal
 * records how the call ended, then the audit records it.
 */
const settleBackground = (store: Store, threadId: string) =>
  vi.waitFor(async () => expect(await store.audit.list({ threadId })).toHaveLength(1), { timeout: 5_000 });

const user = { actingUser: "joe" };

describe.each(everyHarness("cancel"))("a turn cancelled (%s store)", (_kind, kind) => {
  it("while a tool runs: the next input tells the model the call was cancelled and may have taken effect", async () => {
    const { session, store, model, tools } = await setUp(kind, [
      { call: "slow" },
      { text: "It was stopped." },
    ]);
    const cancel = new AbortController();
    tools.started = () => cancel.abort();
    await expectCancelled(session.send("t", "do the slow thing", { ...user, signal: cancel.signal }), true);
    // By the time the turn has returned, the run is checkpointed where it stopped: input at once sees it.
    const saved = await store.checkpointer.getTuple({ configurable: { thread_id: "t" } });
    const window = (saved?.checkpoint.channel_values.messages ?? []) as BaseMessage[];
    expect(window.map((message) => message.getType())).toEqual(["human", "ai"]);
    await settleBackground(store, "t");

    const next = await session.send("t", "what happened?", user);
    expect(next.replies).toEqual(["It was stopped."]);
    const shown = model.shown
      .at(-1)!
      .slice(1)
      .map((message) => [message.getType(), message.text]);
    expect(shown).toEqual([
      ["human", "do the slow thing"],
      ["ai", ""],
      [
        "tool",
        expect.stringMatching(/^slow was cancelled at the terminal while it ran: its server may have/),
      ],
      ["human", "what happened?"],
    ]);
    const audit = await store.audit.list({ threadId: "t" });
    expect(audit.map((record) => [record.tool, record.outcome])).toEqual([["slow", "error"]]);
    expect(audit[0]?.error).toMatch(/cancelled at the terminal while it ran/);
    const history = (await session.history("t")).map((message) => message.getType());
    expect(history).toEqual(["human", "ai", "tool", "human", "ai"]);
  });

  it("while the model thinks: nothing ran, and the next message tells the model the request was withdrawn", async () => {
    const { session, model } = await setUp(kind, [{ text: "Hello." }, { text: "Hi again." }]);
    const cancel = new AbortController();
    model.hold = () => cancel.abort();
    await expectCancelled(session.send("t", "first", { ...user, signal: cancel.signal }), false);
    model.hold = null;
    const next = await session.send("t", "second", user);
    expect(next.replies).toEqual(["Hello."]);
    // The cancelled run's checkpoint keeps "first" on every store (the turn returns once it is written), and
    // the note follows it.
    const shown = model.shown.at(-1)!.slice(1);
    expect(shown.map((message) => message.content)).toEqual([
      "first",
      expect.stringMatching(
        /^\(Cancelled: the person stopped this request at the terminal before I answered it/,
      ),
      "second",
    ]);
    const history = await session.history("t");
    expect(history.map((message) => [message.getType(), isCancelledNote(message)])).toEqual([
      ["human", false],
      ["ai", true],
      ["human", false],
      ["ai", false],
    ]);
    // Once told, the model is not told again.
    await session.send("t", "third", user);
    expect(model.shown.at(-1)!.filter(isCancelledNote)).toHaveLength(1);
  });

  it("while the model thinks after a failed turn: no note, since the person may ask to try again", async () => {
    const { session, model } = await setUp(kind, [{ text: "Hello." }]);
    model.hold = () => {
      throw new Error("the model is down");
    };
    await expect(session.send("t", "first", user)).rejects.toThrow(/the model is down/);
    model.hold = null;
    await session.send("t", "try again", user);
    expect(
      model.shown
        .at(-1)!
        .slice(1)
        .map((message) => message.content),
    ).toEqual(["first", "try again"]);
  });

  it("as a review is answered: the answer is not applied, nothing runs, and the review waits", async () => {
    const cancel = new AbortController();
    const reviewer: Reviewer = {
      name: "rita",
      review: (request) => {
        cancel.abort();
        return Promise.resolve({
          decisions: request.actionRequests.map(() => ({ type: "approve" })),
          reviewer: "rita",
        });
      },
    };
    const { session, tools } = await setUp(kind, [{ call: "quick" }, { text: "done" }], reviewer);
    await expectCancelled(session.send("t", "quick please", { ...user, signal: cancel.signal }), false);
    expect(tools.ran).toEqual([]);
    const waiting = await session.pendingReview("t");
    expect(waiting?.request.actionRequests.map((action) => action.name)).toEqual(["quick"]);
    expect(waiting?.claimedBy).toBeNull();
    const answered = await session.resume("t", { decisions: [{ type: "approve" }], reviewer: "rita" });
    expect(tools.ran).toEqual(["quick"]);
    expect(answered.replies).toEqual(["done"]);
  });
});

describe("a run that failed after the model asked for a tool", () => {
  it("leaves no call without a result: the next input tells the model it did not run", async () => {
    const { session, store, model, tools } = await setUp(sqliteHarness, [
      { call: "plain" },
      { text: "Understood." },
    ]);
    const start = store.executions.start.bind(store.executions);
    store.executions.start = () => Promise.reject(new Error("disk full"));
    await expect(session.send("t", "plain please", user)).rejects.toThrow(/disk full/);
    store.executions.start = start;
    const next = await session.send("t", "and now?", user);
    expect(next.replies).toEqual(["Understood."]);
    const closed = model.shown.at(-1)!.find(isToolMessage);
    expect(closed?.content).toBe("plain did not run: the turn that asked for it stopped first.");
    expect(closed?.status).toBe("error");
    expect(tools.ran).toEqual([]);
  });
});
