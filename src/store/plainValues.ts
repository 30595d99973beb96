import { isBaseMessage } from "@langchain/core/messages";

/**
 * Copies of plain JSON-shaped values, and the cache of recent texts, for the checkpoint serializer
 * (serde.ts): what a read of a value's text would give back, made without the text.
 */

/** What plainCopy returns for a value a read of its text could give back differently. */
export const notPlain = Symbol("notPlain");

/**
 * A copy of the plain objects and arrays in `value`, sharing its messages, as a read of its text would give
 * it back; `notPlain` when it holds anything a read could give back differently (a Set, a Map, a Date, any
 * other class, a record shaped like a serialized LangChain object, a cycle), which is left to the reviver.
 */
export function plainCopy(value: unknown, path: Set<object>): unknown {
  if (value === null || value === undefined || typeof value === "string" || typeof value === "boolean")
    return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : notPlain;
  if (typeof value !== "object" || path.has(value)) return notPlain;
  if (isBaseMessage(value)) return value;
  const isArray = Array.isArray(value);
  if (!isArray && (Object.getPrototypeOf(value) !== Object.prototype || "lc" in value)) return notPlain;
  path.add(value);
  let copy: unknown[] | Record<string, unknown> | typeof notPlain;
  if (isArray) {
    copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length && copy !== notPlain; index += 1) {
      const copied = plainCopy(value[index], path);
      if (copied === notPlain) copy = notPlain;
      else copy[index] = copied;
    }
  } else {
    const fields: Record<string, unknown> = {};
    copy = fields;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      const copied = plainCopy(record[key], path);
      if (copied === notPlain) {
        copy = notPlain;
        break;
      }
      setField(fields, key, copied);
    }
  }
  path.delete(value);
  return copy;
}

/**
 * The last few values by their exact text. A checkpoint's text runs to kilobytes, and a Map would hash
 * all of it on every write and read; comparing with the few kept texts is cheaper (texts of another
 * length differ at once).
 */
export class RecentTexts {
  private readonly entries: { text: string; value: unknown }[] = [];
  private next = 0;

  constructor(private readonly limit: number) {}

  get(text: string): { value: unknown } | undefined {
    return this.entries.find((entry) => entry.text === text);
  }

  add(text: string, value: unknown): void {
    const known = this.get(text);
    if (known) {
      known.value = value;
      return;
    }
    this.entries[this.next] = { text, value };
    this.next = (this.next + 1) % this.limit;
  }
}

/** A copy of the plain objects and arrays in `value`; anything else (LangChain objects) is shared. */
export function copyContainers(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const items = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index += 1) items[index] = copyContainers(value[index]);
    return items;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key in record) if (Object.hasOwn(record, key)) setField(copy, key, copyContainers(record[key]));
  return copy;
}

/**
 * Sets a field as JSON.parse would, even one named `__proto__` (assigning that one would change the
 * object's prototype instead, and drop the field).
 */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
