import { afterEach, beforeEach, describe } from "vitest";
import type { Backend } from "../../../src/server/backends/types.js";
import { demoSeedPath, readSeedFile } from "../../../src/server/seed.js";
import type { DemoConfig } from "../../../src/server/demo/menu.js";
import { openSession, type Session } from "./toolClient.js";
import { accessRequestTests } from "./suite/accessRequests.js";
import { badInputTests } from "./suite/badInput.js";
import { catalogTests } from "./suite/catalog.js";
import { operationApprovalTests } from "./suite/operationApprovals.js";

export interface SuiteBackend {
  backend: Backend;
  cleanup(): Promise<void>;
}

/** What each test gets: sessions as the demo's users, on one backend freshly seeded from the demo seed. */
export interface SuiteContext {
  backend: Backend;
  demo: DemoConfig;
  /** An MCP session acting as `user`; closed after the test. */
  as(user: string): Promise<Session>;
}

/**
 * The tool-level tests every backend must pass, driven through a real McpServer and SDK Client as several
 * users. `setup` returns a backend seeded with examples/family-food/seed.json; the suite looks at data only
 * through the tools, so it runs unchanged against the local and the Permit backend.
 */
export function describeToolSuite(label: string, setup: () => Promise<SuiteBackend>): void {
  describe(`access request tools on the ${label} backend`, () => {
    const seed = readSeedFile(demoSeedPath("family-food"));
    const demo: DemoConfig = { priceLimit: seed.demo?.priceLimit ?? 10, orderRole: seed.demo?.orderRole };
    let opened: SuiteBackend | undefined;
    let sessions: Session[] = [];
    const ctx: SuiteContext = {
      get backend() {
        if (!opened) throw new Error("backend not set up");
        return opened.backend;
      },
      demo,
      async as(user) {
        const session = await openSession(ctx.backend, user, demo);
        sessions.push(session);
        return session;
      },
    };
    beforeEach(async () => {
      opened = await setup();
    });
    afterEach(async () => {
      await Promise.all(sessions.map((session) => session.close()));
      sessions = [];
      await opened?.cleanup();
      opened = undefined;
    });
    catalogTests(ctx);
    accessRequestTests(ctx);
    operationApprovalTests(ctx);
    badInputTests(ctx);
  });
}
