import type { CliContext } from "../context.js";

/** A spinner on stderr while the agent works, only when stderr is a terminal (never in pipes or tests). */
export async function withSpinner<T>(ctx: CliContext, work: () => Promise<T>): Promise<T> {
  const stderr = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  if (!stderr.isTTY) return work();
  const { default: ora } = await import("ora");
  const spinner = ora({
    text: "thinking…",
    stream: stderr,
    discardStdin: false,
  }).start();
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}
