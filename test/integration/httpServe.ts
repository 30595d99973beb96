import { type ChildProcess, spawn } from "node:child_process";
import { cleanEnv, cliPath, repoRoot } from "../helpers/cli.js";

export interface RunningHttp {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Spawns `askfirst serve --demo family-food <args>` and resolves once it prints the address it listens on. */
export function startHttp(args: string[], env: Record<string, string> = {}): Promise<RunningHttp> {
  const child = spawn(process.execPath, [cliPath, "serve", "--demo", "family-food", ...args], {
    cwd: repoRoot,
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /on (http:\/\/\S+\/mcp)/.exec(stderr)?.[1];
      if (url) resolve({ child, url, stderr: () => stderr });
    });
    child.on("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}
