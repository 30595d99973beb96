// Local backend permission checks in a tight loop, against the bare SQLite lookup the check is built on.
import { demoSeedPath, readSeedFile } from "../dist/server/seed.js";
import { openLocalBackend } from "../dist/server/backends/local/localBackend.js";
import { nowMs, row, withTempDir } from "./lib.mjs";

const loops = 100_000;

async function timeLoop(fn) {
  for (let i = 0; i < 2_000; i += 1) await fn(i);
  const started = nowMs();
  for (let i = 0; i < loops; i += 1) await fn(i);
  return ((nowMs() - started) * 1000) / loops;
}

export async function benchBackend() {
  return withTempDir("backend", async (dataDir) => {
    const backend = openLocalBackend({ dataDir, seed: readSeedFile(demoSeedPath("family-food")) });
    const cases = [
      ["henry", "read", "pizza-palace"],
      ["joe", "operate", "sushi-world"],
      ["rose", "delete", "fancy-french"],
      ["nobody", "read", "burger-bonanza"],
    ];
    let allowed = 0;
    const micros = await timeLoop(async (i) => {
      const [user, action, instance] = cases[i % cases.length];
      if (await backend.check(user, action, instance)) allowed += 1;
    });
    await backend.close();
    if (allowed === 0) throw new Error("no check was allowed: the benchmark is not exercising the backend");
    return [
      row(
        `local backend check (loop of ${loops.toLocaleString("en")})`,
        `${micros.toFixed(2)} µs each`,
        "target 20 µs",
        `${(micros / 20).toFixed(2)}× of target`,
        "≤ 20 µs",
        micros <= 20,
      ),
    ];
  });
}
