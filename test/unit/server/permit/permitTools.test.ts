import { openPermitBackend } from "../../../../src/server/backends/permit/index.js";
import { describeToolSuite } from "../toolSuite.js";
import { FakePermit } from "./fakePermit/server.js";

// The same tool-level suite as the local backend, against a fake Permit seeded from the family demo.
describeToolSuite("Permit", async () => {
  const fake = await FakePermit.start();
  const backend = await openPermitBackend(fake.env(), {
    timeoutMs: 2000,
    retry: { sleep: () => Promise.resolve() },
  });
  return {
    backend,
    async cleanup() {
      await backend.close();
      await fake.stop();
    },
  };
});
