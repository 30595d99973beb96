import { describeError, ExitCode, isAskfirstError } from "../errors.js";
import { interruptsOf } from "./interrupts.js";
import { buildProgram } from "./program.js";

// The only place that exits the process: commands return exit codes or throw (a second Ctrl-C during a
// turn exits through the process handed to interruptsOf here).
async function main(): Promise<void> {
  const program = buildProgram({
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    exportEnv: (variables) => {
      for (const [name, value] of Object.entries(variables)) process.env[name] ??= value;
      // DEBUG from a --dotenv file: modules loaded from now on get their source maps (see bin.ts).
      if (process.env.DEBUG) process.setSourceMapsEnabled(true);
    },
    onInterrupt: interruptsOf(process),
    // Process 0 is our process group: the one a terminal's Ctrl-C reaches.
    raiseSignal: (signal) => process.kill(0, signal),
  });
  try {
    await program.parseAsync(process.argv);
    process.exitCode ??= ExitCode.ok;
  } catch (error) {
    process.exitCode = reportError(error, Boolean(process.env.DEBUG));
  }
}

function reportError(error: unknown, showStack: boolean): number {
  const commanderCode = (error as { code?: unknown }).code;
  if (typeof commanderCode === "string" && commanderCode.startsWith("commander.")) {
    const exitCode = (error as { exitCode?: number }).exitCode ?? ExitCode.usage;
    return exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  process.stderr.write(`askfirst: ${describeError(error)}\n`);
  if (showStack && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return isAskfirstError(error) ? error.exitCode : ExitCode.unexpected;
}

await main();
// stdio MCP children or open sockets must not keep a finished command alive.
process.exit(process.exitCode ?? ExitCode.ok);
