import { resolve } from "node:path";
import type { ServeOptions } from "../cli/commands/serve.js";
import type { CliContext } from "../cli/context.js";
import { readEnv } from "../config/load.js";
import { UsageError } from "../errors.js";
import { openBackend, parseBackendKind } from "./backends/index.js";
import type { Backend } from "./backends/types.js";
import { createServer } from "./createServer.js";
import type { DemoConfig } from "./demo/menu.js";
import { checkUserKey, demoSeedPath, parseDemoName, readSeedFile, type Seed } from "./seed.js";
import { parseHttpLimits } from "./transports/httpOptions.js";
import { parseListenAddress } from "./transports/listenAddress.js";
import { serveStdio } from "./transports/stdio.js";
import { loadTokens } from "./transports/tokens.js";

/** `askfirst serve`: checks every flag before touching the data folder, then serves until closed. */
export async function runServe(options: ServeOptions, ctx: CliContext): Promise<void> {
  const kind = parseBackendKind(options.backend);
  if (options.demo && options.seed) throw new UsageError("give --demo or --seed, not both", "usage");
  const seed = options.demo
    ? readSeedFile(demoSeedPath(parseDemoName(options.demo)))
    : options.seed
      ? readSeedFile(resolve(ctx.cwd, options.seed))
      : undefined;
  const demo = demoConfig(seed, Boolean(options.demo));
  const limits = parseHttpLimits(options);
  const dataDir = resolve(ctx.cwd, options.data);
  if (options.http) {
    const address = parseListenAddress(options.http);
    const tokens = loadTokens(options.tokens && resolve(ctx.cwd, options.tokens), ctx.env);
    const backend = await openBackend({ kind, dataDir, seed, env: ctx.env });
    const log = (line: string): void => void ctx.stderr.write(`${line}\n`);
    // Loaded only for --http (~30-50 ms): the stdio server a chat spawns starts sooner.
    const { serveHttp } = await import("./transports/http.js");
    const serving = await serveHttp(address, tokens, (actor) => createServer({ backend, actor, demo }), {
      ...limits,
      log,
    }).catch(async (error: unknown) => {
      await backend.close();
      throw new UsageError(
        `cannot listen on ${options.http}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        "listen",
        error,
      );
    });
    ctx.stderr.write(`askfirst serve: ${backend.resourceType} on ${serving.url} (${kind} backend)\n`);
    await untilStopped();
    await serving.close();
    await backend.close();
    return;
  }
  if (options.tokens) throw new UsageError("--tokens only applies with --http", "usage");
  const actor = stdioUser(ctx);
  const backend = await openBackend({ kind, dataDir, seed, env: ctx.env });
  await serveOverStdio(backend, actor, demo, ctx);
}

function demoConfig(seed: Seed | undefined, isDemo: boolean): DemoConfig | undefined {
  if (!seed?.demo && !isDemo) return undefined;
  return { priceLimit: seed?.demo?.priceLimit ?? 10, orderRole: seed?.demo?.orderRole };
}

function stdioUser(ctx: CliContext): string {
  const user = readEnv(ctx.env, "ASKFIRST_USER");
  if (!user)
    throw new UsageError(
      "serve over stdio acts for the user in ASKFIRST_USER, which is not set (e.g. ASKFIRST_USER=henry askfirst serve --demo family-food)",
      "no_user",
    );
  return checkUserKey(user, "ASKFIRST_USER");
}

async function serveOverStdio(
  backend: Backend,
  actor: string,
  demo: DemoConfig | undefined,
  ctx: CliContext,
): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  // A signal ends the session cleanly so the database is closed, not cut off mid-write. Spawned by a client
  // (stdin is not a terminal), Ctrl-C at the client's terminal reaches this process too, but is meant for
  // the client (askfirst chat cancels a turn with it): such a server ends when its client closes stdin, or
  // on SIGTERM, as MCP's stdio lifecycle has it.
  const onInterrupt = ctx.stdin.isTTY ? onSignal : () => undefined;
  process.on("SIGINT", onInterrupt);
  process.once("SIGTERM", onSignal);
  try {
    await serveStdio(
      createServer({ backend, actor, demo }),
      {
        stdin: ctx.stdin,
        stdout: ctx.stdout,
        log: (line) => void ctx.stderr.write(`${line}\n`),
      },
      stop.signal,
    );
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onSignal);
    await backend.close();
  }
}

function untilStopped(): Promise<void> {
  return new Promise((resolvePromise) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolvePromise();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
