import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let found: string | undefined;

/**
 * The folder of askfirst's package.json, found by walking up from this module: the same answer from the
 * sources (src/), tsc's output (dist/) and the bundled command (dist/bin/, whose chunks sit at another
 * depth). The demos' files (examples/) and the built command are found from it.
 */
export function packageRoot(): string {
  if (found !== undefined) return found;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isAskfirstPackage(join(dir, "package.json"))) return (found = dir);
    if (dirname(dir) === dir) throw new Error(`askfirst: no askfirst package.json above ${start}`);
  }
}

/** The command users run (package.json's bin): the bundled CLI. */
export function cliEntry(): string {
  return join(packageRoot(), "dist", "bin", "askfirst.js");
}

function isAskfirstPackage(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { name?: unknown }).name === "askfirst";
  } catch {
    return false;
  }
}
