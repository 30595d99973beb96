import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Integration tests spawn the built CLI, so every run builds it first: a stale dist/ can never pass.
export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  execFileSync(
    process.execPath,
    [resolve(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}
