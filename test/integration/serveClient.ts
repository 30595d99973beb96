import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { cliPath, repoRoot } from "../helpers/cli.js";

export interface CallOutcome {
  isError: boolean;
  text: string;
  data: Record<string, unknown>;
}

/** A real `askfirst serve` child over stdio, driven by the official SDK client, acting as `user`. */
export interface StdioServer {
  user: string;
  call(name: string, args?: Record<string, unknown>): Promise<CallOutcome>;
  ok(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  stderr(): string;
  close(): Promise<void>;
}

export async function spawnServe(user: string, args: string[]): Promise<StdioServer> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, "serve", ...args],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ASKFIRST_USER: user },
    cwd: repoRoot,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: `it-${user}`, version: "0.0.0" });
  await client.connect(transport);
  const call = async (name: string, callArgs: Record<string, unknown> = {}): Promise<CallOutcome> => {
    const result = await client.callTool({ name, arguments: callArgs });
    const text = (result.content as { text?: string }[]).map((part) => part.text ?? "").join("\n");
    return {
      isError: result.isError === true,
      text,
      data: (result.structuredContent ?? {}) as Record<string, unknown>,
    };
  };
  return {
    user,
    call,
    async ok(name, callArgs) {
      const result = await call(name, callArgs);
      if (result.isError) throw new Error(`${user} ${name} failed: ${result.text}`);
      return result.data;
    },
    stderr: () => stderr,
    close: () => client.close(),
  };
}
