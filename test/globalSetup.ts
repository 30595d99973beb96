import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The HOME every spawned CLI gets (test/helpers/cli.ts cleanEnv): empty, removed after the run. */
    testHome: string;
  }
}

// Integration tests spawn the built CLI, so every run builds it first and a stale dist/ never passes.
// tsc emits even when a type error is found; `npm run typecheck` is the gate for those, so a type error
// is reported here but the build's output is still tested.
export default function setup(project: TestProject): () => void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const tsc = resolve(root, "node_modules/typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status !== 0)
    process.stderr.write(`build reported type errors (see npm run typecheck):\n${result.stdout}`);
  // The command the tests run is the bundle users run (package.json's bin), made from that output.
  const bundled = spawnSync(process.execPath, [resolve(root, "scripts/bundle.mjs")], {
    cwd: root,
    encoding: "utf8",
  });
  if (bundled.status !== 0) throw new Error(`bundling the CLI failed:\n${bundled.stderr}`);
  const home = mkdtempSync(join(tmpdir(), "askfirst-home-"));
  project.provide("testHome", home);
  return () => rmSync(home, { recursive: true, force: true });
}
