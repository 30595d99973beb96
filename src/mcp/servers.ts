import { basename } from "node:path";
import { UsageError } from "../errors.js";
import { cliEntry } from "../packageRoot.js";
import { splitCommandLine } from "./commandLine.js";

/**
 * The MCP servers a run talks to, and how each learns who acts: a server spawned over stdio gets the acting
 * user in ASKFIRST_USER; a server reached over Streamable HTTP gets the acting user's bearer token.
 */
export type ServerSpec = ServerCommand | HttpServer;

export interface ServerCommand {
  kind: "stdio";
  name: string;
  command: string;
  args: string[];
  /** Extra environment for the child (on top of the SDK's safe defaults such as PATH and HOME). */
  env: Record<string, string>;
}

export interface HttpServer {
  kind: "http";
  /** The URL's host name, made distinct among the run's servers. */
  name: string;
  url: URL;
}

export interface BuiltInServerOptions {
  demo?: string;
  data?: string;
  /** Defaults to the built CLI next to this file. */
  cliPath?: string;
}

/**
 * `node <package>/dist/bin/askfirst.js serve [--demo x] [--data dir]`: the Access Request server shipped
 * with askfirst, on its local backend. Like any server it gets ASKFIRST_USER and the SDK's safe defaults
 * only: none of the agent's own settings, such as its store (a PostgreSQL URL may hold a password) or
 * ASKFIRST_HTTP_TOKENS, reach it.
 */
export function builtInServer(options: BuiltInServerOptions): ServerCommand {
  // Run from the sources (tests) too, the built-in server is the built command of the same checkout.
  const args = [options.cliPath ?? cliEntry(), "serve"];
  if (options.demo) args.push("--demo", options.demo);
  if (options.data) args.push("--data", options.data);
  return { kind: "stdio", name: "askfirst", command: process.execPath, args, env: {} };
}

/**
 * `--server "<command line>"` or `--server <http(s) URL>`: servers of the person's choosing. A spawned one
 * gets ASKFIRST_USER and nothing secret; one reached by URL gets the acting user's token only.
 */
export function customServers(lines: string[]): ServerSpec[] {
  const taken = new Set<string>();
  const distinct = (name: string) => {
    let unique = name;
    for (let suffix = 2; taken.has(unique); suffix += 1) unique = `${name}-${suffix}`;
    taken.add(unique);
    return unique;
  };
  return lines.map((line): ServerSpec => {
    const url = serverUrl(line);
    if (url) return { kind: "http", name: distinct(url.hostname), url };
    const words = splitCommandLine(line);
    refuseEnvironment(words);
    const [command, ...args] = words;
    if (command === undefined)
      throw new UsageError(
        '--server needs a command line or an http(s) URL, e.g. --server "node server.js" or --server http://127.0.0.1:8000/mcp',
      );
    return { kind: "stdio", name: distinct(commandName(command, args)), command, args, env: {} };
  });
}

/**
 * `--server "GITHUB_TOKEN=… node server.js"` reads like a shell command that sets a variable, but nothing
 * here is a shell: the assignment would be spawned as the command, and its value, usually a secret, echoed
 * in the error. A spawned server gets ASKFIRST_USER and nothing else from askfirst, by design (DESIGN.md),
 * so this is refused; the message names the variables and never their values.
 */
function refuseEnvironment(words: string[]): void {
  const assigned: string[] = [];
  for (const word of words) {
    const name = /^([A-Za-z_]\w*)=/.exec(word)?.[1];
    if (name === undefined) break;
    assigned.push(name);
  }
  if (assigned.length === 0) return;
  throw new UsageError(
    `--server cannot set environment variables (${assigned.join(", ")}): a spawned server gets only ` +
      "ASKFIRST_USER from askfirst. Give the server its settings its own way (a file it reads, or a script " +
      "that sets them and starts it).",
  );
}

/** True when a `--server` value names a server by URL (http or https) rather than a command line. */
export function isServerUrl(line: string): boolean {
  return /^\s*https?:\/\//i.test(line);
}

/** The URL when `line` is one (http or https); a malformed one is a usage error naming what is wrong. */
function serverUrl(line: string): URL | null {
  if (!isServerUrl(line)) return null;
  const text = line.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server ${text} is not a valid URL; expected e.g. http://127.0.0.1:8000/mcp`);
  }
  // Credentials in the URL would be sent to every user's connection and shown wherever the URL is.
  if (url.username || url.password)
    throw new UsageError(
      "--server URLs must not carry a user or password; the acting user's bearer token comes from --tokens",
    );
  return url;
}

/**
 * A warning for each server that bearer tokens would reach over plain http on another host, where anyone on
 * the way can read them (loopback is fine: that is where `askfirst serve --http` listens by default).
 */
export function plainHttpWarnings(servers: ServerSpec[]): string[] {
  return servers
    .filter((server): server is HttpServer => server.kind === "http" && server.url.protocol === "http:")
    .filter((server) => !loopbackHosts.has(server.url.hostname))
    .map(
      (server) =>
        `bearer tokens go to ${server.url.host} over plain http, readable by anyone on the way; use https`,
    );
}

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** A spawned server's name: its command, or for an interpreter its script (the first non-flag argument). */
function commandName(command: string, args: string[]): string {
  const name = basename(command).replace(/\.(m?js|ts|py)$/, "");
  const script = args.find((arg) => !arg.startsWith("-"));
  if (["node", "npx", "python", "python3", "uvx", "deno", "bun"].includes(name) && script)
    return basename(script).replace(/\.\w+$/, "");
  return name;
}
