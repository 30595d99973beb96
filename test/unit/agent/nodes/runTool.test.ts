import { AIMessage, HumanMessage, isToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { createRunToolNode } from "../../../../src/agent/nodes/runTool.js";
import type { AgentState, ReviewedCall } from "../../../../src/agent/state.js";
import { newAuditKey } from "../../../../src/store/auditChain.js";
import { createMemoryExecutionJournal } from "../../../../src/store/executions.js";
import { createMemoryAuditLog } from "../../../../src/store/memory.js";
import type { AuditRecord } from "../../../../src/store/types.js";
import { createFakeToolbox } from "../../../fixtures/fakeMcp.js";

const args = { to: "ann", amount: 5 };
const config = { configurable: { thread_id: "t-run" } };

const approved: ReviewedCall = {
  args,
  decision: "approved",
  tier: "confirm",
  rule: "rule 1 (pay)",
  server: "fake",
  reviewer: "mom",
  interruptId: "f".repeat(32),
  decideMs: 900,
};

/** The thread's state when human_review_node has approved `pay` and handed it to run_tool. */
const state: AgentState = {
  messages: [
    new HumanMessage({ id: "h1", content: "pay ann 5" }),
    new AIMessage({ id: "a1", content: "", tool_calls: [{ id: "call-pay", name: "pay", args }] }),
  ],
  actingUser: "joe",
  grants: {},
  reviewed: { "call-pay": approved },
  requestedAt: 0,
  outcomes: [],
};

function setUp() {
  const fake = createFakeToolbox();
  const records: AuditRecord[] = [];
  const journal = createMemoryExecutionJournal();
  const audit = createMemoryAuditLog(records, newAuditKey());
  const node = createRunToolNode({
    toolbox: fake.toolbox,
    audit,
    journal,
    clock: () => Date.UTC(2026, 10, 21, 10, 0, 0),
  });
  return { node, journal, records, received: fake.received, hashArgs: audit.digestArgs };
}

describe("run_tool runs each call at most once", () => {
  it("runs a call once; the same call run again gives back the recorded result without calling the server", async () => {
    const { node, records, received, hashArgs } = setUp();
    const first = await node(state, config);
    const again = await node(state, config);
    expect(received).toEqual([{ tool: "pay", user: "joe", args }]);
    expect(again.messages[0]?.content).toBe("joe paid 5 to ann");
    expect(again.messages[0]?.content).toBe(first.messages[0]?.content);
    expect(again.outcomes).toMatchObject([{ outcome: "ok", detail: null }]);
    expect(records).toMatchObject([{ outcome: "ok", executedArgsHash: hashArgs(args) }]);
  });

  it("does not run a call an earlier run started and never finished, and says it may have run", async () => {
    const { node, journal, records, received, hashArgs } = setUp();
    await journal.start({
      threadId: "t-run",
      toolCallId: "call-pay",
      tool: "pay",
      argsHash: hashArgs(args),
      startedAt: Date.UTC(2026, 10, 21, 9, 59, 0),
    });
    const result = await node(state, config);
    expect(received).toEqual([]);
    const [message] = result.messages;
    expect(message && isToolMessage(message) ? message.status : null).toBe("error");
    expect(message?.content).toMatch(
      /^pay may have run before a crash: it was started at 2026-11-21T09:59:00.000Z/,
    );
    expect(message?.content).toMatch(/not run again/);
    expect(result.outcomes).toMatchObject([{ outcome: "error", detail: message?.content }]);
    expect(records).toMatchObject([
      {
        toolCallId: "call-pay",
        decision: "approved",
        outcome: "error",
        error: message?.content,
        argsHash: hashArgs(args),
        executedArgsHash: hashArgs(args),
      },
    ]);
  });

  it("gives back a recorded error without running the call again", async () => {
    const { node, journal, received, hashArgs } = setUp();
    const start = { threadId: "t-run", toolCallId: "call-pay", tool: "pay", argsHash: hashArgs(args) };
    await journal.start({ ...start, startedAt: 1 });
    await journal.finish("t-run", "call-pay", { outcome: "error", result: "card declined", finishedAt: 2 });
    const result = await node(state, config);
    expect(received).toEqual([]);
    expect(result.outcomes).toMatchObject([{ outcome: "error", detail: "card declined" }]);
    expect(result.messages[0]?.content).toBe("card declined");
  });

  it("says a call started with other arguments and never finished may have run with those", async () => {
    const { node, journal, records, received, hashArgs } = setUp();
    const startedWith = { to: "ann", amount: 4 };
    const start = { threadId: "t-run", toolCallId: "call-pay", tool: "pay", argsHash: hashArgs(startedWith) };
    await journal.start({ ...start, startedAt: Date.UTC(2026, 10, 21, 9, 59, 0) });
    const result = await node(state, config);
    expect(received).toEqual([]);
    expect(result.messages[0]?.content).toBe(
      "pay may have run before a crash, with other arguments than the ones approved now " +
        "(started at 2026-11-21T09:59:00.000Z); a tool call runs at most once, so it was not run " +
        "again with these. It never reported back; check whether it took effect.",
    );
    expect(records).toMatchObject([
      { outcome: "error", argsHash: hashArgs(args), executedArgsHash: hashArgs(startedWith) },
    ]);
  });

  it("says so when the call ran before a crash with other arguments than the ones approved now", async () => {
    const { node, journal, records, received, hashArgs } = setUp();
    const ranWith = { to: "ann", amount: 4 };
    const start = { threadId: "t-run", toolCallId: "call-pay", tool: "pay", argsHash: hashArgs(ranWith) };
    await journal.start({ ...start, startedAt: Date.UTC(2026, 10, 21, 9, 59, 0) });
    await journal.finish("t-run", "call-pay", { outcome: "ok", result: "joe paid 4 to ann", finishedAt: 2 });
    // The reviewer approved { amount: 5 } this time; the payment of 4 had gone through before the crash.
    const result = await node(state, config);
    expect(received).toEqual([]);
    const [message] = result.messages;
    expect(message && isToolMessage(message) ? message.status : null).toBe("error");
    expect(message?.content).toBe(
      "pay had already run before a crash, with other arguments than the ones approved now " +
        "(started at 2026-11-21T09:59:00.000Z); a tool call runs at most once, so it was not run " +
        "again with these. Its result then: joe paid 4 to ann",
    );
    expect(result.outcomes).toMatchObject([{ outcome: "error", detail: message?.content }]);
    expect(records).toMatchObject([
      { outcome: "error", argsHash: hashArgs(args), executedArgsHash: hashArgs(ranWith) },
    ]);
  });
});

describe("run_tool and secrets a tool echoes back", () => {
  const why = 'bad login with {"password":"PWSECRET123","note":"postgres://bob:URLPWSECRET@db/x"}';
  const echoing: AgentState = {
    ...state,
    messages: [
      new HumanMessage({ id: "h1", content: "log in" }),
      new AIMessage({
        id: "a1",
        content: "",
        tool_calls: [{ id: "call-fail", name: "fail", args: { why } }],
      }),
    ],
    reviewed: { "call-fail": { ...approved, args: { why } } },
  };

  it("runs with the exact arguments but keeps, shows and tells the model only the masked error", async () => {
    const { node, journal, records, received, hashArgs } = setUp();
    const result = await node(echoing, config);
    expect(received).toEqual([{ tool: "fail", user: "joe", args: { why } }]);
    const masked = 'refused: bad login with {"password":"***","note":"postgres://bob:***@db/x"}';
    expect(result.messages[0]?.content).toBe(masked);
    expect(result.outcomes).toMatchObject([{ outcome: "error", detail: masked }]);
    expect(records).toMatchObject([{ error: masked, argsHash: hashArgs({ why }) }]);
    expect((await journal.get("t-run", "call-fail"))?.result).toBe(masked);
    expect(JSON.stringify([result, records])).not.toMatch(/PWSECRET|URLPWSECRET/);
  });

  it("masks a secret in a result the same way, and in the arguments an edit ran with", async () => {
    const { node, received } = setUp();
    const to = "ann GITHUB_TOKEN=ghp_ENVSECRET99";
    const edited: AgentState = {
      ...state,
      messages: [
        state.messages[0] as HumanMessage,
        new AIMessage({ id: "a1", content: "", tool_calls: [{ id: "call-pay", name: "pay", args }] }),
      ],
      reviewed: { "call-pay": { ...approved, decision: "edited", args: { to, amount: 5 } } },
    };
    const result = await node(edited, config);
    expect(received).toEqual([{ tool: "pay", user: "joe", args: { to, amount: 5 } }]);
    expect(result.messages[0]?.content).toBe(
      'joe paid 5 to ann GITHUB_TOKEN=***\n(The reviewer edited the arguments; it ran with {"to":"ann GITHUB_TOKEN=***","amount":5}.)',
    );
  });
});
