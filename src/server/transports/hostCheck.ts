import type { IncomingHttpHeaders } from "node:http";
import type { ListenAddress } from "./listenAddress.js";

const loopbackNames = ["localhost", "127.0.0.1", "[::1]"];
const wildcardHosts = new Set(["0.0.0.0", "[::]"]);
const hostHeaderPattern = /^(?:[a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The host names a request may name in its Host (and Origin) header: the loopback names, the bound host
 * unless it is a wildcard (0.0.0.0 or ::, which has no name of its own), and `extra` (e.g. the name a reverse
 * proxy forwards). Ports are not compared: a DNS-rebinding page reaches the bound port under its own name,
 * and the name is what gives it away.
 */
export function allowedHostnames(bound: ListenAddress, extra: readonly string[] = []): ReadonlySet<string> {
  const names = new Set(loopbackNames);
  const host = normalize(bound.host.includes(":") ? `[${bound.host}]` : bound.host);
  if (host && !wildcardHosts.has(host)) names.add(host);
  for (const name of extra) {
    const normal = normalize(name);
    if (normal) names.add(normal);
  }
  return names;
}

/**
 * Why a request must be refused as a possible DNS-rebinding attack, or undefined when its Host names this
 * server and its Origin, if any, is a page served from one of the same names. Browsers always send Host and
 * send Origin on cross-site requests; other clients usually send no Origin at all.
 */
export function refuseHost(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): string | undefined {
  const host = headers.host;
  if (!host) return "missing Host header";
  const hostname = hostnameOf(host);
  if (!hostname || !allowed.has(hostname)) return `Host ${quote(host)} is not a name this server answers to`;
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const originHost = originHostname(origin);
  if (!originHost || !allowed.has(originHost))
    return `Origin ${quote(origin)} is not a page this server accepts requests from`;
  return undefined;
}

function hostnameOf(host: string): string | undefined {
  return hostHeaderPattern.test(host) ? normalize(host) : undefined;
}

/** The name as URL parsing spells it (lower case, IPv6 compressed and bracketed, ports dropped). */
function normalize(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

function originHostname(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url.hostname : undefined;
  } catch {
    return undefined;
  }
}

/** A header value as it may appear in a message or log: quoted, escaped, and short. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
