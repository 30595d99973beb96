import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { cleanEnv, cliPath, repoRoot } from "./cli.js";
import { type ToolCaller, toolCaller } from "./toolCalls.js";

/** A real `askfirst serve` child over stdio, driven by the official SDK client, acting as `user`. */
export interface StdioServer extends ToolCaller {
  user: string;
  /** The server process's id. */
  pid: number;
  stderr(): string;
  close(): Promise<void>;
}

/** Spawns `askfirst serve <args>` as `user`; `env` adds to the clean environment (e.g. a backend's settings). */
export async function spawnServe(
  user: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<StdioServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, "serve", ...args],
    env: cleanEnv({ ASKFIRST_USER: user, ...env }),
    cwd: repoRoot,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: `it-${user}`, version: "0.0.0" });
  await client.connect(transport);
  const pid = transport.pid;
  if (pid === null) throw new Error("askfirst serve has no process id");
  return {
    user,
    pid,
    ...toolCaller(client, `${user} `),
    stderr: () => stderr,
    close: () => client.close(),
  };
}
