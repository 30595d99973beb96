import { describeError, UsageError } from "../errors.js";

/**
 * How long a connection may take before the store gives up, unless the URL's `connect_timeout` says
 * otherwise. node-postgres reads no `connect_timeout` and by default waits for ever: a server behind a
 * firewall that drops packets, or a proxy that takes the connection and never answers, would hang the CLI.
 */
export const defaultConnectTimeoutMs = 10_000;

export interface PostgresPoolTarget {
  /** The URL without `schema`, which is askfirst's, not the server's. */
  connectionString: string;
  schema: string;
  /** 0: wait for ever (`connect_timeout=0`, as libpq reads it). */
  connectTimeoutMs: number;
}

/**
 * What the pool needs from a `postgres://` URL: its schema (the `schema` option wins over `?schema=`,
 * default "public") and the connection timeout (`?connect_timeout=<seconds>`, as libpq takes it).
 */
export function readPoolTarget(url: string, explicitSchema: string | undefined): PostgresPoolTarget {
  const parsed = new URL(url);
  const fromUrl = parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  const schema = explicitSchema ?? fromUrl ?? "public";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw new UsageError(`invalid PostgreSQL schema "${schema}": expected letters, digits and _`);
  const timeout = parsed.searchParams.get("connect_timeout")?.trim();
  if (timeout !== undefined && !/^\d{1,6}$/.test(timeout))
    throw new UsageError(
      `invalid connect_timeout "${timeout}" in the PostgreSQL URL: expected whole seconds (0 waits for ever)`,
    );
  const connectTimeoutMs = timeout === undefined ? defaultConnectTimeoutMs : Number(timeout) * 1000;
  return { connectionString: parsed.toString(), schema, connectTimeoutMs };
}

/** Why connecting failed; a timeout says how long was waited and how to wait longer. */
export function describeConnectFailure(error: unknown, connectTimeoutMs: number): string {
  const message = describeError(error);
  // node-postgres says so in words only: the pool's own timer, or the client's.
  if (connectTimeoutMs > 0 && /timeout exceeded when trying to connect|connection timeout/i.test(message))
    return `no answer within ${connectTimeoutMs / 1000} s (connect_timeout=<seconds> in the URL waits longer)`;
  return message;
}
