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
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { AskfirstError, UsageError, describeError } from "../errors.js";
import { maskText } from "../review/mask.js";
import type { HttpServer, ServerCommand, ServerSpec } from "./servers.js";

/**
 * The seam where MCP meets the graph. One set of connections per acting user, opened lazily: the user is
 * bound into each server's session (ASKFIRST_USER for a spawned server, the user's bearer token for one
 * reached over Streamable HTTP), so tool arguments never carry identity.
 */

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

export interface ToolboxOptions {
  /** Lets spawned servers write to this process's stderr. */
  debug?: boolean;
  /** Each user's bearer token for the servers reached over HTTP; without it, they are reached unauthenticated. */
  tokens?: ReadonlyMap<string, string>;
}

export function createToolbox(servers: ServerSpec[], options: ToolboxOptions = {}): Toolbox {
  // Each user's connections, and their tool list made once (every node of every turn asks for it, and gets
  // the same array each time).
  type Entry = { connections: Promise<Connection[]>; tools: Promise<LoadedTool[]> };
  const perUser = new Map<string, Entry>();
  // A server that went away (it crashed, or Ctrl-C at the terminal reached it too) is started again, with
  // the user's other servers, on next use; until then its calls fail and say so.
  const forget = (user: string, entry: Entry) => {
    if (perUser.get(user) !== entry) return;
    perUser.delete(user);
    entry.connections
      .then((opened) => Promise.allSettled(opened.map((connection) => connection.close())))
      .catch(() => undefined);
  };
  return {
    toolsFor(user) {
      let entry = perUser.get(user);
      if (!entry) {
        const lost = () => forget(user, created);
        const connections = Promise.all(servers.map((server) => connect(server, user, options, lost)));
        const tools = connections.then((opened) =>
          checkUnique(opened.flatMap((connection) => connection.tools)),
        );
        const created: Entry = { connections, tools };
        entry = created;
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

async function connect(
  server: ServerSpec,
  user: string,
  options: ToolboxOptions,
  lost: () => void,
): Promise<Connection> {
  // A spawned server starts while the client's modules load.
  const opened =
    server.kind === "stdio"
      ? Promise.resolve(spawnServer(server, user, options.debug ?? false))
      : reachServer(server, user, options);
  const [{ Client }, { AjvJsonSchemaValidator }, { transport, lastWords }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/validation/ajv"),
    opened,
  ]);
  const client = new Client(
    { name: "askfirst", version: "0.1.0" },
    { jsonSchemaValidator: compiledOnFirstUse(new AjvJsonSchemaValidator()) },
  );
  try {
    await client.connect(transport);
    const tools = await loadServerTools(server.name, client);
    client.onclose = lost;
    return { tools, close: () => closeClient(client, transport) };
  } catch (error) {
    await client.close().catch(() => undefined);
    const said = lastWords(error);
    // The spawn error echoes the command, and a server's last words may hold its own keys.
    const problem = maskText(`${describeError(error)}${said ? ` (${said})` : ""}`);
    throw new AskfirstError(
      `could not ${server.kind === "stdio" ? "start" : "connect to"} MCP server ${server.name} for ${user}: ${problem}`,
      // A server that refuses the user's token is told the wrong token: the person's to put right.
      { code: "mcp_connect", cause: error, source: isRefusedAuth(error) ? "user" : "system" },
    );
  }
}

interface Opened {
  transport: Transport;
  /** What to add to a failure to connect: the server's last line of stderr, or a hint fitting the error. */
  lastWords: (error: unknown) => string | undefined;
}

/**
 * Spawns the server now (synchronously, within this call), so it starts while the client loads (~0.1 s);
 * `client.connect` starts the transport itself, so it is handed the start under way (and its failure).
 */
function spawnServer(server: ServerCommand, user: string, debug: boolean): Opened {
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
  const started = transport.start();
  started.catch(() => undefined);
  transport.start = () => started;
  return { transport, lastWords: () => lastLines.at(-1) && `it said: ${lastLines.at(-1)}` };
}

/** Streamable HTTP, with the user's bearer token when one is given. The token is never in a message. */
async function reachServer(server: HttpServer, user: string, options: ToolboxOptions): Promise<Opened> {
  const token = options.tokens?.get(user);
  if (options.tokens && token === undefined)
    throw new AskfirstError(
      `no bearer token for ${user} in --tokens (or ASKFIRST_HTTP_TOKENS): MCP server ${server.name} would not know who acts; add one for ${user}`,
      { code: "mcp_connect", source: "user" },
    );
  const [{ StreamableHTTPClientTransport }, { RenewingHttpTransport }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("./renewingHttp.js"),
  ]);
  const headers = token === undefined ? undefined : { Authorization: `Bearer ${token}` };
  const transport = new RenewingHttpTransport(
    () => new StreamableHTTPClientTransport(server.url, headers ? { requestInit: { headers } } : {}),
  );
  return {
    transport,
    lastWords: (error) => {
      if (isRefusedAuth(error))
        return token === undefined
          ? `no bearer token was sent for ${user}: give them one with --tokens`
          : `the server refused ${user}'s bearer token from --tokens`;
      const cause = causeOf(error);
      if (cause?.code === "ECONNREFUSED")
        return `nothing answers at ${server.url.host}: is the server running?`;
      return cause?.message;
    },
  };
}

/** The server answered 401 or 403: it does not take the token sent (or wants one). */
function isRefusedAuth(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 401 || code === 403;
}

/** What a failed fetch hides in its cause (`fetch failed`): the system error code and message. */
function causeOf(error: unknown): (Error & { code?: unknown }) | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error ? cause : undefined;
}

/** Closes the connection; a Streamable HTTP session is ended on the server first (it may also expire). */
async function closeClient(client: Client, transport: Transport): Promise<void> {
  const http = transport as Partial<{ terminateSession(): Promise<void> }>;
  if (typeof http.terminateSession === "function") await http.terminateSession().catch(() => undefined);
  await client.close();
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
