import type { Command } from "commander";
import { collect } from "../program.js";

/** The flags that choose the MCP servers a run talks to; `chat` and `review` take the same ones. */
export function addServerOptions(command: Command): Command {
  return command
    .option(
      "--server <command line|URL>",
      "an MCP server to spawn over stdio, or an http(s) URL to reach over Streamable HTTP, instead of the built-in one (repeatable)",
      collect,
    )
    .option(
      "--tokens <file>",
      'JSON {"<token>": "<user>"} (as for askfirst serve): the bearer token sent for each acting user to --server URLs (default: ASKFIRST_HTTP_TOKENS)',
    )
    .option("--data <dir>", "data folder of the built-in server (as for askfirst serve)")
    .option("--demo <name>", "serve a demo with the built-in server: family-food");
}
