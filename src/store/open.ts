import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import { readEnv, type Env } from "../config/load.js";
import { AskfirstError, UsageError } from "../errors.js";
import type { Store } from "./types.js";

export type StoreSpec =
  { kind: "memory" } | { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

export const defaultStoreSpec = "sqlite:.askfirst/askfirst.db";
const acceptedForms = "memory, sqlite:<path> or postgres://user@host:port/database";

/** The `--store` value, else ASKFIRST_STORE, else the default SQLite file under the working folder. */
export function chooseStoreSpec(flag: string | undefined, env: Env): string {
  return flag ?? readEnv(env, "ASKFIRST_STORE") ?? defaultStoreSpec;
}

/**
 * The store a command that only reads or answers what a chat kept (`pending`, `audit`, `review`) opens,
 * from `--store`, ASKFIRST_STORE or the default. `absent` is set when it names a SQLite file that does not
 * exist, which such a command must not create: a mistyped path, or the default store of another working
 * folder, would read as a store where nothing is waiting. `isNamed` is false for the default. A memory
 * store is a UsageError: a fresh one, always empty, is all such a command could open.
 */
export function storeToRead(
  flag: string | undefined,
  env: Env,
  cwd: string,
): { spec: StoreSpec; isNamed: boolean; absent: UsageError | null } {
  const spec = parseStoreSpec(chooseStoreSpec(flag, env), cwd);
  const isNamed = flag !== undefined || readEnv(env, "ASKFIRST_STORE") !== undefined;
  if (spec.kind === "memory")
    throw new UsageError(
      `${flag !== undefined ? "--store " : "ASKFIRST_STORE="}memory holds nothing here: a memory store lives only inside the process that made it; give the sqlite:<path> or postgres:// store askfirst chat used`,
    );
  if (spec.kind !== "sqlite" || existsSync(spec.path)) return { spec, isNamed, absent: null };
  const absent = new UsageError(
    isNamed
      ? `no store at ${spec.path}: nothing has been kept there yet; give the --store (or ASKFIRST_STORE) that askfirst chat used`
      : `no store at ${spec.path} (the default, under the working folder): nothing has been kept there yet; run this where askfirst chat ran, or give --store`,
  );
  return { spec, isNamed, absent };
}

/**
 * Parses `--store`; a SQLite path is resolved against `cwd` (`~/` is the home folder, which the shell does
 * not expand after `sqlite:`). Schemes are matched in any case, as URL schemes are; a PostgreSQL URL comes
 * back with its scheme in lower case. Anything else is a UsageError naming the accepted forms.
 */
export function parseStoreSpec(spec: string | undefined, cwd: string, home: string = homedir()): StoreSpec {
  const value = (spec ?? defaultStoreSpec).trim();
  if (value.toLowerCase() === "memory") return { kind: "memory" };
  if (/^sqlite:/i.test(value)) {
    const path = value.slice("sqlite:".length);
    if (!path)
      throw new UsageError(`invalid --store "${value}": sqlite: needs a file path, e.g. ${defaultStoreSpec}`);
    if (path === "~" || path.startsWith("~/")) return { kind: "sqlite", path: join(home, path.slice(1)) };
    return { kind: "sqlite", path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  const scheme = /^postgres(ql)?:\/\//i.exec(value)?.[0];
  if (scheme) {
    if (!URL.canParse(value))
      throw new UsageError(`invalid --store: not a valid PostgreSQL URL; expected ${acceptedForms}`);
    return { kind: "postgres", url: scheme.toLowerCase() + value.slice(scheme.length) };
  }
  throw new UsageError(`invalid --store "${redactUrl(value)}": expected ${acceptedForms}`);
}

export interface OpenStoreOptions {
  /** Working folder a relative SQLite path is resolved against. */
  cwd: string;
  /**
   * False for commands that only read the queue or the audit log (`pending`, `audit`): LangGraph's
   * checkpoint packages, which take ~0.4 s to load, are then never imported and `store.checkpointer` throws.
   */
  checkpointer?: boolean;
  clock?: () => number;
  /** PostgreSQL schema holding every table (default "public"); tests isolate themselves with their own. */
  schema?: string;
  /**
   * For commands that read what a chat kept (`pending`, `audit`, `review`): a SQLite file or PostgreSQL
   * schema without askfirst's tables is a UsageError and is left as it was, not made into a store. A store
   * made by an earlier version still opens, and is upgraded as usual.
   */
  existing?: boolean;
}

/** Opens (creating on first use) the store a spec names. The caller closes it. */
export async function openStore(
  spec: string | StoreSpec | undefined,
  options: OpenStoreOptions,
): Promise<Store> {
  const parsed = typeof spec === "object" ? spec : parseStoreSpec(spec, options.cwd);
  const clock = options.clock ?? Date.now;
  const wantsCheckpointer = options.checkpointer ?? true;
  if (parsed.kind === "memory") {
    const { createMemoryStore } = await import("./memory.js");
    const saver = wantsCheckpointer ? await loadMemorySaver() : null;
    return createMemoryStore({ checkpointer: () => saver ?? missingCheckpointer(), clock });
  }
  if (parsed.kind === "sqlite") {
    const { openSqliteStore } = await import("./sqlite.js");
    return openSqliteStore(parsed.path, {
      clock,
      checkpointer: wantsCheckpointer,
      existing: options.existing,
    });
  }
  const { openPostgresStore } = await import("./postgres.js");
  return openPostgresStore(parsed.url, {
    clock,
    checkpointer: wantsCheckpointer,
    schema: options.schema,
    existing: options.existing,
  });
}

async function loadMemorySaver(): Promise<BaseCheckpointSaver> {
  const [{ MemorySaver }, { CheckpointSerializer }] = await Promise.all([
    import("@langchain/langgraph-checkpoint"),
    import("./serde.js"),
  ]);
  return new MemorySaver(new CheckpointSerializer());
}

export function missingCheckpointer(): never {
  throw new AskfirstError(
    "this store was opened without a checkpointer (openStore with checkpointer: false)",
    {
      code: "store_without_checkpointer",
    },
  );
}

/** Query parameters of a PostgreSQL URL that carry a secret (libpq and pg read them). */
const secretParams = ["password", "sslpassword", "sslkey"];

/**
 * A store spec safe to print: the password of a PostgreSQL URL is masked, in its user part and its query.
 * The scheme stays as typed (URL lowercases it), since a refused spec may be wrong only there.
 */
export function redactUrl(spec: string): string {
  if (!URL.canParse(spec))
    return spec
      .replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@")
      .replace(new RegExp(`([?&](?:${secretParams.join("|")})=)[^&#]*`, "gi"), "$1***");
  const url = new URL(spec);
  if (url.password) url.password = "***";
  for (const key of [...url.searchParams.keys()])
    if (secretParams.includes(key.toLowerCase())) url.searchParams.set(key, "***");
  const printed = url.toString();
  const typed = spec.slice(0, url.protocol.length);
  return typed.toLowerCase() === url.protocol ? typed + printed.slice(typed.length) : printed;
}
