import { Option, type Command } from "commander";
import { AskfirstError, ExitCode } from "../../errors.js";
import type { ChatOptions } from "../chat/setup.js";
import type { CliContext } from "../context.js";
import { collect, parseReviewTimeout } from "../program.js";
import { addServerOptions } from "./serverOptions.js";

export function registerChat(program: Command, ctx: CliContext): void {
  const command = program
    .command("chat")
    .description(
      "Talk to the agent; every tool call passes the review policy, sensitive ones wait for a person",
    )
    .option(
      "-u, --user <name>",
      "acting user (letters, digits, . _ @ -), bound into the MCP server's session (default: ASKFIRST_USER, else henry with --demo, else the OS user)",
    )
    .option(
      "-m, --model <spec>",
      "gemini[:<name>] | scripted:<file.json> | local (default: gemini with GOOGLE_API_KEY, else local)",
    )
    .option("-q, --query <text>", "run this query and exit (repeatable, run in order)", collect)
    .option(
      "-t, --thread <id>",
      "continue this thread (shows its history and any review it waits on); an id with nothing kept starts a new thread under it, and says so",
    )
    .option(
      "--policy <file>",
      "review policy JSON (default: the demo's policy with --demo, else read-only tools allow, the rest confirm)",
    )
    .option(
      "--answers <file>",
      "answer reviews from this file, one line per reviewed call: yes | no: <reason> | edit <json> | always",
    )
    .option("--reviewer <name>", "name recorded for who answered reviews (default: the OS user)")
    .option(
      "--store <spec>",
      "where threads, reviews and the audit are kept: sqlite:<path> | postgres://... | memory (default: ASKFIRST_STORE or sqlite:.askfirst/askfirst.db)",
    )
    .option(
      "--review-timeout <seconds>",
      "seconds a person has to answer a review; then it is rejected as timed out",
      parseReviewTimeout,
      300,
    )
    .addOption(
      new Option(
        "--on-review <mode>",
        "ask: ask the reviewer now; queue: leave the review pending, print the thread id, exit 3",
      )
        .choices(["ask", "queue"])
        .default("ask"),
    )
    .option("--verbose", "also print each tool result the agent received");
  addServerOptions(command).action(async (options: ChatOptions) => {
    const { startChat } = await import("../chat/start.js");
    const code = await startChat(options, ctx);
    if (code === ExitCode.pendingReview)
      throw new AskfirstError(
        "a review is waiting; answer it with askfirst review <thread> or chat -t <thread>",
        {
          code: "left_pending",
          exitCode: code,
        },
      );
    if (code === ExitCode.interrupted)
      throw new AskfirstError("interrupted", { code: "interrupted", exitCode: code });
    // The failed turn has already said why; this only ends a -q run with its exit code.
    if (code !== ExitCode.ok)
      throw new AskfirstError("stopped: a query failed (see above)", {
        code: "query_failed",
        exitCode: code,
      });
  });
}
