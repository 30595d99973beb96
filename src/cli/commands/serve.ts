import type { Command } from "commander";
import type { CliContext } from "../context.js";

export interface ServeOptions {
  demo?: string;
  seed?: string;
  data: string;
  http?: string;
  tokens?: string;
  backend: string;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description(
      "Run the Access Request MCP server: over stdio acting as ASKFIRST_USER, or over Streamable HTTP with bearer tokens",
    )
    .option("--demo <name>", "seed (once) and serve a demo: family-food")
    .option("--seed <file>", "seed an empty data folder from this JSON file")
    .option("--data <dir>", "data folder of the local backend", ".askfirst")
    .option(
      "--http <host:port>",
      "serve Streamable HTTP on /mcp instead of stdio (host defaults to 127.0.0.1)",
    )
    .option("--tokens <file>", 'JSON file {"<token>": "<user>"} of bearer tokens for --http')
    .option("--backend <kind>", "where access data lives: local | permit", "local")
    .action(async (options: ServeOptions) => {
      const { runServe } = await import("../../server/serve.js");
      await runServe(options, ctx);
    });
}
