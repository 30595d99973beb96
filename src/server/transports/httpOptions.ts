import { UsageError } from "../../errors.js";

export const defaultSessionIdleSeconds = 1800;
export const defaultMaxSessions = 100;
// A fifth of the default total: a few agents per user fit, and one token alone cannot fill the server.
export const defaultMaxSessionsPerUser = 20;
const maxSessionIdleSeconds = 7 * 24 * 3600;

/** The `serve` flags that shape HTTP serving, as typed. */
export interface HttpFlags {
  http?: string;
  sessionIdle?: string;
  maxSessions?: string;
  maxSessionsPerUser?: string;
  allowHost?: string[];
}

export interface HttpLimits {
  sessionIdleMs: number;
  maxSessions: number;
  /** Never more than maxSessions. */
  maxSessionsPerUser: number;
  allowedHosts: string[];
}

/** Checks the HTTP-only flags; giving one without `--http` is an error rather than silently ignored. */
export function parseHttpLimits(flags: HttpFlags): HttpLimits {
  const given = [
    flags.sessionIdle !== undefined && "--session-idle",
    flags.maxSessions !== undefined && "--max-sessions",
    flags.maxSessionsPerUser !== undefined && "--max-sessions-per-user",
    (flags.allowHost?.length ?? 0) > 0 && "--allow-host",
  ].filter(Boolean);
  if (!flags.http && given.length > 0) throw new UsageError(`${given.join(", ")} only applies with --http`);
  const idleSeconds = parseWhole(
    "--session-idle",
    flags.sessionIdle,
    defaultSessionIdleSeconds,
    maxSessionIdleSeconds,
    "seconds",
  );
  const maxSessions = parseWhole(
    "--max-sessions",
    flags.maxSessions,
    defaultMaxSessions,
    100_000,
    "sessions",
  );
  const perUser = parseWhole(
    "--max-sessions-per-user",
    flags.maxSessionsPerUser,
    defaultMaxSessionsPerUser,
    100_000,
    "sessions",
  );
  return {
    sessionIdleMs: idleSeconds * 1000,
    maxSessions,
    maxSessionsPerUser: Math.min(perUser, maxSessions),
    allowedHosts: (flags.allowHost ?? []).map(parseAllowedHost),
  };
}

function parseWhole(flag: string, value: string | undefined, fallback: number, max: number, unit: string) {
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= max))
    throw new UsageError(
      `invalid ${flag} "${value.slice(0, 40)}"; expected a whole number of ${unit} from 1 to ${max} (default ${fallback})`,
    );
  return number;
}

/** `--allow-host`: a bare host name or IP (any port), e.g. the public name a reverse proxy forwards. */
function parseAllowedHost(value: string): string {
  const host = value.trim().toLowerCase();
  if (/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/.test(host) || /^\[[0-9a-f:.]+\]$/.test(host)) return host;
  throw new UsageError(
    `invalid --allow-host "${value.slice(0, 80)}"; expected a host name or IP without scheme or port (e.g. mcp.example.com, 10.0.0.5, [fd00::5]); any port is accepted`,
  );
}
