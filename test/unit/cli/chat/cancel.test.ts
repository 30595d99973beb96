import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Session, TurnResult } from "../../../../src/agent/sessionTypes.js";
import type { LineSource } from "../../../../src/cli/chat/lines.js";
import { interactive, type ChatRuntime } from "../../../../src/cli/chat/run.js";
import type { ChatOptions } from "../../../../src/cli/chat/setup.js";
import type { CliContext } from "../../../../src/cli/context.js";
import { TurnCancelled } from "../../../../src/errors.js";
import type { Reviewer } from "../../../../src/review/decisions.js";
import type { PendingReview } from "../../../../src/store/types.js";
import { sampleReview } from "../../store/harness.js";

/**
 * The chat loop when Ctrl-C cancels a turn: it says so and reads the next line; a review the turn left
 * waiting is asked before that line is sent, since the thread takes nothing new while one waits.
 */

const done: TurnResult = { status: "done", replies: ["Done."], messages: [], calls: [], review: null };

function lines(...queued: string[]): LineSource {
  return { next: () => Promise.resolve(queued.shift() ?? null), interrupted: false, close: () => undefined };
}

function chatContext() {
  let out = "";
  let interrupt: (() => void) | null = null;
  const ctx: CliContext = {
    env: {},
    stdin: Object.assign(new PassThrough(), { isTTY: true }),
    stdout: Object.assign(new PassThrough(), { write: (text: string) => ((out += text), true) }),
    stderr: new PassThrough(),
    cwd: "/",
    onInterrupt: (listener) => {
      interrupt = listener;
      return () => void (interrupt = null);
    },
  };
  return { ctx, output: () => out, pressCtrlC: () => interrupt?.() };
}

const options: ChatOptions = { reviewTimeout: 300, onReview: "ask" };

/** A chat runtime over the session parts a test plays; anything else it is asked for fails the test. */
function runtimeOf(
  parts: Partial<Session>,
  review: Reviewer["review"] = () => Promise.reject(new Error("not asked")),
): ChatRuntime {
  const unexpected = () => Promise.reject(new Error("not expected in this test"));
  const session: Session = {
    send: unexpected,
    resume: unexpected,
    askWaiting: unexpected,
    pendingReview: () => Promise.resolve(null),
    history: unexpected,
    actingUser: unexpected,
    ...parts,
  };
  return {
    session,
    reviewer: { name: "rita", review },
    spinner: { spin: (work) => work(), pause: (work) => work(), say: () => undefined },
    threadId: "t",
    actingUser: "joe",
  };
}

describe("the chat after Ctrl-C cancelled a turn", () => {
  it("says so, asks the review the turn left waiting, then sends the next line", async () => {
    const { ctx, output, pressCtrlC } = chatContext();
    const steps: string[] = [];
    let waiting: PendingReview | null = null;
    const session: Partial<Session> = {
      send: (_thread, text, sendOptions) => {
        steps.push(`send ${text}`);
        if (text !== "first") return Promise.resolve(done);
        pressCtrlC();
        expect(sendOptions.signal?.aborted).toBe(true);
        waiting = { ...sampleReview("t", "i-1", Date.now()), claimedBy: null };
        return Promise.reject(new TurnCancelled(false));
      },
      pendingReview: () => Promise.resolve(waiting),
      askWaiting: (_thread, review) => {
        steps.push(`ask ${review.interruptId}`);
        waiting = null;
        return Promise.resolve(done);
      },
    };
    const runtime = runtimeOf(session);
    const code = await interactive(runtime, options, ctx, lines("first", "second"));
    expect(code).toBe(0);
    expect(steps).toEqual(["send first", "ask i-1", "send second"]);
    expect(output()).toMatch(/^cancelled: the agent stopped; no tool call was under way\.$/m);
    expect(output()).toContain(
      "The review it paused on is still waiting; it is asked again before your next message.",
    );
    expect(output()).toContain("This thread has a review waiting; it is answered first.");
  });

  it.each([
    ["a -q run", { query: ["first", "second"] }, true],
    ["lines piped in", {}, false],
  ])(
    "in %s, stops after the cancelled turn (exit 130) and sends no later line",
    async (_name, extra, isTTY) => {
      const { ctx, output, pressCtrlC } = chatContext();
      Object.assign(ctx.stdin, { isTTY });
      const sent: string[] = [];
      const runtime = runtimeOf({
        send: (_thread, text) => {
          sent.push(text);
          pressCtrlC();
          return Promise.reject(new TurnCancelled(true));
        },
      });
      const code = await interactive(runtime, { ...options, ...extra }, ctx, lines("first", "second"));
      expect(code).toBe(130);
      expect(sent).toEqual(["first"]);
      expect(output()).toContain(
        "It may still have taken effect on its server; the agent is told so with the thread's next message",
      );
    },
  );
});
