import { UsageError } from "../../errors.js";

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parses `--http`: "port", "host:port" or "[ipv6]:port". Without a host it binds 127.0.0.1, so a server is
 * never reachable from another machine unless someone asks for it.
 */
export function parseListenAddress(value: string): ListenAddress {
  const match = /^(?:(\[[0-9a-f:.]+\]|[a-z0-9.-]+):)?(\d{1,5})$/i.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65_535)
    throw new UsageError(
      `invalid --http "${value}"; expected host:port or port (e.g. 127.0.0.1:8787, 0 for any free port)`,
      "bad_listen",
    );
  const host = match[1]?.replace(/^\[|\]$/g, "") ?? "127.0.0.1";
  return { host, port };
}
