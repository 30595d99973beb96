import type { ToolShape } from "./intent.js";

/**
 * Fills a tool's arguments from a plain sentence and what earlier tool results showed (restaurant keys,
 * dish names, request ids), guided by the tool's JSON Schema. Returns the arguments, or the required
 * ones it could not find.
 */

export interface Known {
  /** Keys such as "pizza-palace" seen in earlier results or schema enums. */
  keys: string[];
  /** Dish names seen in earlier results. */
  dishes: string[];
  /** Every id seen in earlier results. */
  ids: string[];
  /** The ids of the latest result that showed any: "approve it" may pick one only when it is alone. */
  lastIds: string[];
  /** The tool whose result showed `lastIds`, e.g. list_access_requests. */
  lastIdsFrom: string | null;
}

interface Property {
  type?: string;
  enum?: unknown[];
  description?: string;
}

export type Filled = { ok: true; args: Record<string, unknown> } | { ok: false; missing: string[] };

export function fillArgs(tool: ToolShape, text: string, known: Known): Filled {
  const properties = (tool.schema.properties ?? {}) as Record<string, Property>;
  const required = new Set((tool.schema.required as string[] | undefined) ?? []);
  const args: Record<string, unknown> = {};
  // The place first: other values (a role, an operation) are told apart from it.
  const ordered = Object.entries(properties).sort(
    ([a], [b]) => Number(b.endsWith("instance")) - Number(a.endsWith("instance")),
  );
  for (const [name, property] of ordered) {
    const value = findValue(name, property, text, known, args);
    if (value !== undefined) args[name] = value;
  }
  const missing = [...required].filter((name) => args[name] === undefined);
  if (missing.length === 0) return { ok: true, args };
  return { ok: false, missing: missing.map((name) => describeMissing(name, properties[name], known)) };
}

/** A missing argument as the person is asked for it: its name, and what it may be where that is known. */
function describeMissing(name: string, property: Property | undefined, known: Known): string {
  const choices = property?.enum?.map(String) ?? (name.endsWith("instance") ? known.keys : []);
  if (name === "action") choices.push(...["read", "create", "update", "delete", "operate"]);
  const shown = [...new Set(choices)].slice(0, 8);
  if (shown.length > 0) return `${name} (one of ${shown.join(", ")})`;
  if (name === "reason") return `a reason ("… because …")`;
  return name;
}

function findValue(
  name: string,
  property: Property,
  text: string,
  known: Known,
  sofar: Record<string, unknown>,
): unknown {
  if (property.enum) return findEnum(property.enum, text);
  if (name === "resource_instance" || name.endsWith("instance")) return findKey(text, known.keys);
  if (name === "dish_name" || name.endsWith("dish")) return findDish(text, known.dishes);
  if (name === "role") return findRole(text, known, sofar);
  if (name === "reason") return after(text, /\b(?:because|since|reason:?|so that)\s+(.+)$/i);
  if (name.endsWith("comment")) return after(text, /\b(?:comment|saying|note):?\s+["']?(.+?)["']?$/i);
  if (name === "operation") return describeOperation(text, known, sofar);
  if (name === "action") return after(text, /\b(read|create|update|delete|operate)\b/i);
  if (name.endsWith("_id") || name === "id") return findId(text, known);
  return undefined;
}

// An enum is only set when the sentence names a value: "list requests" means all of them, not a guess.
function findEnum(values: unknown[], text: string): unknown {
  const lower = text.toLowerCase();
  return values.find(
    (value) => typeof value === "string" && new RegExp(`\\b${escape(value.toLowerCase())}\\b`).test(lower),
  );
}

/** "pizza-palace", "pizza palace" or "Pizza Palace" all find the key pizza-palace. */
function findKey(text: string, keys: string[]): string | undefined {
  const squashed = text.toLowerCase().replace(/[\s_]+/g, "-");
  const known = keys.find((key) => squashed.includes(key.toLowerCase()));
  if (known) return known;
  // Unknown keys: the place named after "at", "on", "from"... ("for" and "to" only when nothing else fits).
  for (const prepositions of ["at|on|from|in", "to|for"]) {
    const pattern = new RegExp(
      `\\b(?:${prepositions})\\s+(?=(?:the\\s+)?([a-z0-9]+(?:-[a-z0-9]+)+|[a-z0-9]+\\s+[a-z0-9]+)\\b)`,
      "gi",
    );
    // The last place named wins: "on the menu at sushi world" is about sushi-world.
    const candidates = [...text.matchAll(pattern)]
      .map((match) => match[1]?.toLowerCase().replace(/\s+/g, "-") ?? "")
      .filter((candidate) => candidate && !/^(an?|the|me|my|approval|access|order)-/.test(candidate));
    if (candidates.length > 0) return candidates.at(-1);
  }
  return undefined;
}

/** "as a parent", or a kebab-case word that is not the place (e.g. child-can-order). */
function findRole(text: string, known: Known, sofar: Record<string, unknown>): string | undefined {
  const named = /\bas (?:an? |the )?([a-z][\w-]*)/i.exec(text)?.[1];
  if (named) return named;
  const kebab = text.toLowerCase().match(/\b[a-z0-9]+(?:-[a-z0-9]+)+\b/g) ?? [];
  return kebab.find((word) => word !== sofar.resource_instance && !known.keys.includes(word));
}

function findDish(text: string, dishes: string[]): string | undefined {
  const lower = text.toLowerCase().replace(/\s+/g, " ");
  const known = [...dishes]
    .sort((a, b) => b.length - a.length)
    .find((dish) => lower.includes(dish.toLowerCase()));
  if (known) return known;
  const named = /\border (?:an? |the |some )?(.+?)(?: (?:at|from|in|on)\b.*)?$/i.exec(text.trim());
  return named?.[1]?.replace(/[.!?]$/, "").trim() || undefined;
}

function describeOperation(text: string, known: Known, sofar: Record<string, unknown>): string | undefined {
  const dish = findDish(text.replace(/^.*?\border\b/i, "order"), known.dishes);
  if (dish && /\border\b/i.test(text)) return `order_dish:${dish}`;
  return (
    after(text, /\bto (.+?)(?: (?:at|from|because)\b.*)?$/i) ??
    (sofar.resource_instance ? "operate" : undefined)
  );
}

function findId(text: string, known: Known): string | undefined {
  const mentioned = known.ids.find((id) => text.includes(id));
  if (mentioned) return mentioned;
  const explicit = /(?:#|\bid\s*|\brequest\s+|\bapproval\s+)([A-Za-z0-9_-]*\d[A-Za-z0-9_-]*)/i.exec(
    text,
  )?.[1];
  if (explicit) return known.ids.find((id) => id.endsWith(explicit)) ?? explicit;
  return known.lastIds.length === 1 ? known.lastIds[0] : undefined;
}

function after(text: string, pattern: RegExp): string | undefined {
  return pattern.exec(text.trim())?.[1]?.trim() || undefined;
}

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
