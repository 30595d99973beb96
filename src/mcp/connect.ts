import { existsSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
// Loaded with this module (only commands that talk to MCP servers import it), so the first `toolsFor`
// spawns the servers at once instead of after the rest of the agent has loaded.
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from "@modelcontextprotocol/sdk/validation/types.js";
import { AskfirstError, UsageError, describeError } from "../errors.js";
import { splitCommandLine } from "./commandLine.js";

/**
 * The seam where MCP meets the graph. One set of stdio connections per acting user, opened lazily: the
 * user is bound into each server's session through ASKFIRST_USER, so tool arguments never carry identity.
 */

export interface ServerCommand {
  name: string;
  command: string;
  args: string[];
  /** Extra environment for the child (on top of the SDK's safe defaults such as PATH and HOME). */
  env: Record<string, string>;
}

export interface LoadedTool {
  tool: StructuredToolInterface;
  server: string;
  annotations: { readOnlyHint?: boolean; destructiveHint?: boolean } | undefined;
  /** The JSON Schema the tool advertises for its arguments. */
  inputSchema: Record<string, unknown>;
}

export interface Toolbox {
  /** The tools as the given user sees them; connects on first use. */
  toolsFor(user: string): Promise<LoadedTool[]>;
  close(): Promise<void>;
}

export interface BuiltInServerOptions {
  demo?: string;
  data?: string;
  /** Defaults to the built CLI next to this file. */
  cliPath?: string;
}

/**
 * `node <dist>/cli/main.js serve [--demo x] [--data dir]`: the Access Request server shipped with askfirst,
 * on its local backend. Like any server it gets ASKFIRST_USER and the SDK's safe defaults only: none of
 * the agent's own settings, such as its store (a PostgreSQL URL may hold a password) or
 * ASKFIRST_HTTP_TOKENS, reach it.
 */
export function builtInServer(options: BuiltInServerOptions): ServerCommand {
  const args = [options.cliPath ?? resolveCliPath(), "serve"];
  if (options.demo) args.push("--demo", options.demo);
  if (options.data) args.push("--data", options.data);
  return { name: "askfirst", command: process.execPath, args, env: {} };
}

/** `--server "<command line>"`: a server of the person's choosing; it gets ASKFIRST_USER and nothing secret. */
export function customServers(lines: string[]): ServerCommand[] {
  const taken = new Set<string>();
  return lines.map((line) => {
    const [command, ...args] = splitCommandLine(line);
    if (command === undefined)
      throw new UsageError('--server needs a command line, e.g. --server "node server.js"');
    let name = basename(command).replace(/\.(m?js|ts|py)$/, "");
    // An interpreter is not a name: use its script (the first argument that is not a flag).
    const script = args.find((arg) => !arg.startsWith("-"));
    if (["node", "npx", "python", "python3", "uvx", "deno", "bun"].includes(name) && script)
      name = basename(script).replace(/\.\w+$/, "");
    for (let suffix = 2; taken.has(name); suffix += 1) name = `${name.replace(/-\d+$/, "")}-${suffix}`;
    taken.add(name);
    return { name, command, args, env: {} };
  });
}

function resolveCliPath(): string {
  const beside = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  if (existsSync(beside)) return beside;
  // Running from sources (tests): use the build of the same checkout.
  return fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
}

export function createToolbox(servers: ServerCommand[], options: { debug?: boolean } = {}): Toolbox {
  // Each user's connections, and their tool list made once (every node of every turn asks for it, and gets
  // the same array each time).
  const perUser = new Map<string, { connections: Promise<Connection[]>; tools: Promise<LoadedTool[]> }>();
  return {
    toolsFor(user) {
      let entry = perUser.get(user);
      if (!entry) {
        const connections = Promise.all(
          servers.map((server) => connect(server, user, options.debug ?? false)),
        );
        const tools = connections.then((opened) =>
          checkUnique(opened.flatMap((connection) => connection.tools)),
        );
        entry = { connections, tools };
        perUser.set(user, entry);
        // A failed start is not cached: the next turn may try again. (A clash of tool names is: the
        // connections stay open, and every turn is told.)
        connections.catch(() => perUser.delete(user));
      }
      return entry.tools;
    },
    async close() {
      const all = await Promise.allSettled([...perUser.values()].map((entry) => entry.connections));
      perUser.clear();
      await Promise.allSettled(
        all.flatMap((result) => (result.status === "fulfilled" ? result.value : [])).map((c) => c.close()),
      );
    },
  };
}

interface Connection {
  tools: LoadedTool[];
  close(): Promise<void>;
}

async function connect(server: ServerCommand, user: string, debug: boolean): Promise<Connection> {
  const transport = new StdioClientTransport({
    command: server.command,
    args: server.args,
    env: { ...server.env, ASKFIRST_USER: user },
    stderr: debug ? "inherit" : "pipe",
  });
  const lastLines: string[] = [];
  transport.stderr?.on("data", (chunk: Buffer) => {
    lastLines.push(...chunk.toString().split("\n").filter(Boolean));
    lastLines.splice(0, Math.max(0, lastLines.length - 5));
  });
  // Spawn the server now (synchronously, within this call) and load the client (~0.1 s) while it starts;
  // `client.connect` starts the transport itself, so it is handed the start under way (and its failure).
  const started = transport.start();
  started.catch(() => undefined);
  transport.start = () => started;
  const [{ Client }, { AjvJsonSchemaValidator }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/validation/ajv"),
  ]);
  const client = new Client(
    { name: "askfirst", version: "0.1.0" },
    { jsonSchemaValidator: compiledOnFirstUse(new AjvJsonSchemaValidator()) },
  );
  try {
    await client.connect(transport);
    return { tools: await loadServerTools(server.name, client), close: () => client.close() };
  } catch (error) {
    await client.close().catch(() => undefined);
    const said = lastLines.at(-1);
    throw new AskfirstError(
      `could not start MCP server ${server.name} for ${user}: ${describeError(error)}${said ? ` (it said: ${said})` : ""}`,
      { code: "mcp_connect", cause: error },
    );
  }
}

/**
 * The SDK compiles a validator for every tool's output schema each time tools are listed (~0.2 s for the
 * built-in server, and the adapters list them a second time); a session calls few tools, so compile each
 * validator when its tool first answers.
 */
function compiledOnFirstUse(validator: jsonSchemaValidator): jsonSchemaValidator {
  return {
    getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
      let compiled: JsonSchemaValidator<T> | undefined;
      return (input) => (compiled ??= validator.getValidator<T>(schema))(input);
    },
  };
}

/** The tools of one connected server, with their annotations and input schemas kept for the policy. */
export async function loadServerTools(serverName: string, client: Client): Promise<LoadedTool[]> {
  const { loadMcpTools } = await import("@langchain/mcp-adapters");
  const listed = await client.listTools();
  const tools = await loadMcpTools(serverName, client);
  return tools.map((tool) => describeTool(tool, serverName, listed.tools));
}

function describeTool(
  tool: StructuredToolInterface,
  server: string,
  listed: { name: string; inputSchema: Record<string, unknown> }[],
): LoadedTool {
  const { metadata } = tool as { metadata?: { annotations?: LoadedTool["annotations"] } };
  const annotations = metadata?.annotations;
  const inputSchema = listed.find((item) => item.name === tool.name)?.inputSchema ?? {};
  return { tool, server, annotations, inputSchema };
}

function checkUnique(tools: LoadedTool[]): LoadedTool[] {
  const seen = new Map<string, string>();
  for (const { tool, server } of tools) {
    const other = seen.get(tool.name);
    if (other !== undefined)
      throw new UsageError(
        `tool ${tool.name} is offered by both ${other} and ${server}; give each server distinct tools`,
      );
    seen.set(tool.name, server);
  }
  return tools;
}
