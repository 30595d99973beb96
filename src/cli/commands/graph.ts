import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerGraph(program: Command, ctx: CliContext): void {
  program
    .command("graph")
    .description("Print the agent's review graph as Mermaid text (offline; paste it into any Mermaid viewer)")
    .action(async () => {
      const { agentGraphMermaid } = await import("../../agent/graph.js");
      ctx.stdout.write(`${(await agentGraphMermaid()).trimEnd()}\n`);
    });
}
