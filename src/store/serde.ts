import { load } from "@langchain/core/load";
import { isBaseMessage, type BaseMessage } from "@langchain/core/messages";
import { JsonPlusSerializer } from "@langchain/langgraph-checkpoint";

/**
 * LangGraph's checkpoint serializer, reading faster. Every turn reads back a checkpoint whose window holds
 * mostly the messages the previous one held, and reviving each message through LangChain's `load` costs
 * ~25 µs (1.2 ms for a window of 40, paid two or three times a turn). This reviver does what
 * JsonPlusSerializer's does for the records a checkpoint of ours holds (plain JSON, `undefined` markers,
 * LangChain objects), handing each LangChain object to the same `load` but keeping what it returned by its
 * exact serialized text, so a message read again is not revived again. Anything else (sets, maps, other
 * special records) goes to JsonPlusSerializer unchanged. The stored format is JsonPlusSerializer's.
 *
 * Writing, each message's serialized form is kept with the message, so the window's messages are not
 * serialized again at every checkpoint.
 *
 * A message read twice is the same object both times: LangGraph and askfirst treat messages in a
 * checkpoint as values and never change them (LangGraph only gives an id to a message that has none, and a
 * kept form is used only while the id is the one it was made with).
 */
export class CheckpointSerializer extends JsonPlusSerializer {
  /** Revived LangChain objects by the exact text of their stored record. */
  private readonly revived = new Map<string, unknown>();

  /** The text of each parsed record of the read under way (parsed records are never changed). */
  private readonly storedTexts = new WeakMap<object, string>();

  /** The last checkpoints read through the fast path, by their exact stored text (never mutated). */
  private readonly recentReads = new Map<string, { value: unknown }>();

  /** Each message's `toJSON()`, made with the message id it had then. */
  private readonly storedForms = new WeakMap<BaseMessage, { id: string | undefined; form: unknown }>();

  constructor(private readonly capacity = 2_000) {
    super();
  }

  protected override _dumps(obj: unknown): Uint8Array {
    return super._dumps(this.withStoredForms(obj, new Set()));
  }

  /** A copy of plain objects and arrays with each message replaced by its serialized form. */
  private withStoredForms(value: unknown, path: Set<object>): unknown {
    if (typeof value !== "object" || value === null || path.has(value)) return value;
    if (isBaseMessage(value)) {
      const kept = this.storedForms.get(value);
      if (kept && kept.id === value.id) return kept.form;
      const form: unknown = value.toJSON();
      this.storedForms.set(value, { id: value.id, form });
      return form;
    }
    const isArray = Array.isArray(value);
    if (!isArray && Object.getPrototypeOf(value) !== Object.prototype) return value;
    path.add(value);
    const copy = isArray
      ? value.map((item: unknown) => this.withStoredForms(item, path))
      : Object.fromEntries(
          Object.entries(value).map(([key, field]) => [key, this.withStoredForms(field, path)]),
        );
    path.delete(value);
    return copy;
  }

  /**
   * A turn reads its thread's checkpoint twice (the session's "is a review pending?" and the run's own
   * load), so the last few reads are kept by their exact text. Each read gets its own copy of the plain
   * objects and arrays, since LangGraph writes into a checkpoint it has read; LangChain objects are shared,
   * as above.
   */
  protected override async _loads(data: string): Promise<unknown> {
    const known = this.recentReads.get(data);
    if (known !== undefined) return copyContainers(known.value);
    const parsed: unknown = JSON.parse(data);
    for (let round = 0; round < 2; round += 1) {
      const missing = new Map<string, string>();
      const value = this.revive(parsed, missing, false);
      if (value === unsupported) break;
      if (missing.size === 0) {
        setBounded(this.recentReads, data, { value: copyContainers(value) }, recentReadsKept);
        return value;
      }
      await Promise.all(
        [...missing].map(async ([stored, text]) =>
          setBounded(this.revived, stored, await load(text), this.capacity),
        ),
      );
    }
    return super._loads(data);
  }

  /**
   * `missing` collects LangChain objects not revived yet: the stored record's text, and the text `load` is
   * given (the record with its `undefined` markers revived, as JsonPlusSerializer gives it).
   * `unsupported` asks for the generic reviver.
   */
  private revive(value: unknown, missing: Map<string, string>, isInsideLangChain: boolean): unknown {
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const item of value) {
        const revived = this.revive(item, missing, isInsideLangChain);
        if (revived === unsupported) return unsupported;
        items.push(revived);
      }
      return items;
    }
    const record = value as Record<string, unknown>;
    const isLangChain = record.lc === 1 && record.type === "constructor" && Array.isArray(record.id);
    if (!isLangChain) return this.reviveFields(record, missing, isInsideLangChain);
    // A LangChain object inside another is rare; leave the nesting to the generic reviver.
    if (isInsideLangChain) return unsupported;
    const stored = this.storedText(record);
    if (this.revived.has(stored)) return this.revived.get(stored);
    const fields = this.reviveFields(record, missing, true);
    if (fields === unsupported) return unsupported;
    missing.set(stored, JSON.stringify(fields));
    return null;
  }

  /** A read that meets new records walks its checkpoint twice; each record's text is made once. */
  private storedText(record: object): string {
    let text = this.storedTexts.get(record);
    if (text === undefined) {
      text = JSON.stringify(record);
      this.storedTexts.set(record, text);
    }
    return text;
  }

  private reviveFields(
    record: Record<string, unknown>,
    missing: Map<string, string>,
    isInsideLangChain: boolean,
  ): unknown {
    const fields: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(record)) {
      const revived = this.revive(field, missing, isInsideLangChain);
      if (revived === unsupported) return unsupported;
      fields[key] = revived;
    }
    if (fields.lc === 2) return fields.type === "undefined" ? undefined : unsupported;
    return fields;
  }
}

const unsupported = Symbol("unsupported");

/** A turn's reads are of one or two checkpoints (and their metadata); a few more cover a review's resume. */
const recentReadsKept = 8;

/** Sets `key`, first dropping the oldest entry when the map already holds `limit`. */
function setBounded<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  if (map.size >= limit) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/** A copy of the plain objects and arrays in `value`; anything else (LangChain objects) is shared. */
function copyContainers(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyContainers);
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = copyContainers(field);
  return copy;
}
