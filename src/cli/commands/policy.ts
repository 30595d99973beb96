import type { Command } from "commander";
import type { ChatOptions } from "../chat/setup.js";
import type { CliContext } from "../context.js";
import { addServerOptions } from "./serverOptions.js";

export function registerPolicy(program: Command, ctx: CliContext): void {
  const command = program
    .command("policy")
    .description(
      "Show the tier the review policy gives each tool of the servers; exit 2 if a rule can never apply",
    )
    .option(
      "--policy <file>",
      "review policy JSON (default: the demo's policy with --demo, else read-only tools allow, the rest confirm)",
    )
    .option(
      "-u, --user <name>",
      "whose tools to list (as for chat; servers may offer each user other tools)",
    );
  addServerOptions(command).action(async (options: ChatOptions) => {
    const { showPolicy } = await import("../policyReport.js");
    await showPolicy(options, ctx);
  });
}
