import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLocalBackend } from "../../../src/server/backends/local/localBackend.js";
import { demoSeedPath, readSeedFile } from "../../../src/server/seed.js";
import { describeToolSuite } from "./toolSuite.js";

describeToolSuite("local", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "askfirst-tools-"));
  const backend = openLocalBackend({ dataDir, seed: readSeedFile(demoSeedPath("family-food")) });
  return {
    backend,
    async cleanup() {
      await backend.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
