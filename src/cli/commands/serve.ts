import type { Command } from "commander";
import { defaultDataDir } from "../../server/backends/local/dataFolder.js";
import type { CliContext } from "../context.js";

export interface ServeOptions {
  demo?: string;
  seed?: string;
  data: string;
  http?: string;
  tokens?: string;
  backend: string;
  sessionIdle?: string;
  maxSessions?: string;
  maxSessionsPerUser?: string;
  allowHost?: string[];
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description(
      "Run the Access Request MCP server: over stdio acting as ASKFIRST_USER, or over Streamable HTTP with bearer tokens",
    )
    .option("--demo <name>", "seed (once) and serve a demo: family-food")
    .option("--seed <file>", "seed an empty data folder from this JSON file")
    .option("--data <dir>", "data folder of the local backend", defaultDataDir)
    .option(
      "--http <host:port>",
      "serve Streamable HTTP on /mcp instead of stdio (host defaults to 127.0.0.1)",
    )
    .option("--tokens <file>", 'JSON file {"<token>": "<user>"} of bearer tokens for --http')
    .option(
      "--session-idle <seconds>",
      "with --http: close a session after this long without requests (default 1800)",
    )
    .option(
      "--max-sessions <n>",
      "with --http: sessions open at once; past it a new one gets 503 (default 100)",
    )
    .option(
      "--max-sessions-per-user <n>",
      "with --http: sessions one user may hold at once; past it their new one gets 429 (default 20)",
    )
    .option(
      "--allow-host <host>",
      "with --http: also answer requests whose Host/Origin names this host, e.g. behind a reverse proxy (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--backend <kind>", "where access data lives: local | permit", "local")
    .action(async (options: ServeOptions) => {
      const { runServe } = await import("../../server/serve.js");
      await runServe(options, ctx);
    });
}
