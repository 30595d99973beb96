import { afterEach } from "vitest";
import { openSession } from "../../src/agent/session.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../src/models/scripted.js";
import type { Reviewer } from "../../src/review/decisions.js";
import type { Policy } from "../../src/review/policy.js";
import { openStore } from "../../src/store/open.js";
import type { Store } from "../../src/store/types.js";
import { createFakeToolbox } from "../fixtures/fakeMcp.js";

/**
 * A session on a fresh in-memory store that plays `turns`, calling the fake MCP toolbox under `policy`.
 * Call at the top of a test file: it registers the afterEach that closes each test's store.
 */
export function scriptedSessions(policy: Policy) {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  return async function setUp(turns: ScriptedTurn[], reviewer?: Reviewer, windowSize?: number) {
    store = await openStore("memory", { cwd: process.cwd() });
    const fake = createFakeToolbox();
    const session = openSession({
      store,
      model: new ScriptedChatModel(turns, "test turns"),
      toolbox: fake.toolbox,
      policy,
      ...(reviewer ? { reviewer } : {}),
      ...(windowSize ? { windowSize } : {}),
    });
    return { session, store, ...fake };
  };
}
