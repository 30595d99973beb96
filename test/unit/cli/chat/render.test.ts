import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { CallOutcome } from "../../../../src/agent/state.js";
import { cancelledNote } from "../../../../src/agent/cancelledRequest.js";
import {
  formatCall,
  formatCancelled,
  formatHistory,
  formatPending,
  formatTurn,
} from "../../../../src/cli/chat/render.js";
import type { PendingReview } from "../../../../src/store/types.js";

const base: CallOutcome = {
  toolCallId: "call-1",
  tool: "order_dish",
  server: "askfirst",
  tier: "confirm",
  rule: "rule 4 (expensive dish)",
  decision: "approved",
  reviewer: "joe",
  args: { dish_name: "Truffle Pizza" },
  outcome: "ok",
  detail: null,
};

describe("formatCall", () => {
  it("ticks an approved call that ran, naming who approved it and the rule", () => {
    const line = formatCall(base);
    expect(line).toMatch(
      /^ {2}✓ order_dish\(\{"dish_name":"Truffle Pizza"\}\) — approved by joe \[confirm: rule 4/,
    );
  });

  it("crosses a rejected call and shows why it did not run", () => {
    const line = formatCall({ ...base, decision: "rejected", outcome: "not_run", detail: "too expensive" });
    expect(line).toContain("✗ order_dish");
    expect(line).toContain("rejected by joe");
    expect(line).toContain("too expensive");
  });

  it("reports a turn's calls in the order the model asked for them, though refusals were settled first", () => {
    const asked = new AIMessage({
      id: "a",
      content: "",
      tool_calls: [
        { id: "call-1", name: "order_dish", args: {} },
        { id: "call-2", name: "order_dish", args: {} },
      ],
    });
    const refused = {
      ...base,
      toolCallId: "call-2",
      args: { dish_name: "Fries" },
      decision: "rejected" as const,
    };
    const text = formatTurn(
      {
        status: "done",
        replies: [],
        messages: [asked.toDict()],
        calls: [refused, base],
        review: null,
      },
      { verbose: false },
    );
    expect(text).toMatch(/^ {2}. order_dish\(.*Truffle Pizza.*\n {2}. order_dish\(.*Fries/);
  });

  it("never ticks a rejection that came after the call had already run", () => {
    const detail = "The rejection came too late: order_dish had already run before a crash.";
    const line = formatCall({ ...base, decision: "rejected", outcome: "ok", detail });
    expect(line).not.toContain("✓");
    expect(line).toContain("! order_dish");
    expect(line).toContain(detail);
  });
});

describe("secrets in what the chat prints", () => {
  const args = { resource_instance: "pizza-palace", api_key: "sk-LEAKME-123" };

  it("masks them in the line that says a review is waiting", () => {
    const review = {
      threadId: "t-1",
      request: { actionRequests: [{ name: "order_dish", args, description: "" }] },
    } as unknown as PendingReview;
    const line = formatPending(review);
    expect(line).toContain('order_dish({"resource_instance":"pizza-palace","api_key":"***"})');
    expect(line).not.toContain("LEAKME");
  });

  it("masks them in the history `chat -t` shows", () => {
    const text = formatHistory([
      new HumanMessage("order"),
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "order_dish", args }] }),
    ]);
    expect(text).toContain('→ order_dish({"resource_instance":"pizza-palace","api_key":"***"})');
    expect(text).not.toContain("LEAKME");
  });
});

describe("secret values in what the chat prints, whatever they are called", () => {
  it("masks them in every line of the history, the agent's replies and a call's failure", () => {
    const history = formatHistory([
      new HumanMessage("log in with GITHUB_TOKEN=ghp_TYPEDSECRET1"),
      new AIMessage({ content: "Trying ghp_TYPEDSECRET1", tool_calls: [] }),
      new ToolMessage({ tool_call_id: "c1", name: "login", content: 'bad login {"password":"PWSECRET123"}' }),
    ]);
    expect(history).toBe(
      [
        "you: log in with GITHUB_TOKEN=***",
        "agent: Trying ghp_***",
        '  ← login: bad login {"password":"***"}',
        "",
      ].join("\n"),
    );
    const failed = formatCall({ ...base, outcome: "error", detail: "refused: Bearer HEADERBEARERSECRET" });
    expect(failed).toContain("failed: refused: Bearer ***");
    const turn = formatTurn(
      { status: "done", replies: ["your key is sk-live-do-not-show"], messages: [], calls: [], review: null },
      { verbose: true },
    );
    expect(turn).toBe("agent: your key is sk-***\n");
  });
});

describe("the history chat -t shows", () => {
  it("shows a request cancelled before the agent answered as cancelled, not as the agent's words", () => {
    const human = new HumanMessage({ id: "human_1", content: "order pizza" });
    const text = formatHistory([human, cancelledNote("human_1"), new HumanMessage("list restaurants")]);
    expect(text).toBe(
      "you: order pizza\n  (cancelled at the terminal before the agent answered)\nyou: list restaurants\n",
    );
  });
});

describe("what a run stopped by Ctrl-C may have done", () => {
  it("says when the agent is told of a call under way, and where a review left waiting is answered", () => {
    const atPrompt = formatCancelled(true, { threadId: "t-1", atPrompt: true, reviewWaiting: true });
    expect(atPrompt).toContain("the agent is told so with your next message");
    expect(atPrompt).toContain("it is asked again before your next message.");
    const ended = formatCancelled(true, { threadId: "t-1", atPrompt: false, reviewWaiting: true });
    expect(ended).toContain("the agent is told so with the thread's next message");
    expect(ended).toContain("The review it paused on is still waiting: askfirst review t-1\n");
    expect(formatCancelled(false, { threadId: "t-1", atPrompt: false, reviewWaiting: false })).toBe(
      "cancelled: the agent stopped; no tool call was under way.\n",
    );
  });
});

describe("formatTurn", () => {
  it("after a review answered elsewhere: who answered, each call's decision, and what the thread did there", () => {
    const text = formatTurn(
      {
        status: "done",
        replies: [],
        messages: [],
        calls: [],
        review: null,
        elsewhere: {
          by: "rita",
          decisions: [{ tool: "order_dish", decision: "approved" }],
          messages: [
            new ToolMessage({ tool_call_id: "call-1", name: "order_dish", content: "Ordered." }),
            new AIMessage("Your pizza is on its way."),
          ],
        },
      },
      { verbose: false },
    );
    expect(text).toBe(
      [
        "── answered elsewhere by rita: order_dish approved; what the thread did there ──",
        "  ← order_dish: Ordered.",
        "agent: Your pizza is on its way.",
        "",
      ].join("\n"),
    );
  });
});
