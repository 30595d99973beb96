import { randomUUID } from "node:crypto";
import { load } from "@langchain/core/load";
import { isBaseMessage, type BaseMessage } from "@langchain/core/messages";
import { JsonPlusSerializer } from "@langchain/langgraph-checkpoint";
import { setBounded } from "../bounded.js";
import { copyContainers, notPlain, plainCopy, RecentTexts, setField } from "./plainValues.js";

/**
 * LangGraph's checkpoint serializer, reading faster. Every turn reads back a checkpoint whose window holds
 * mostly the messages the previous one held, and reviving each message through LangChain's `load` costs
 * ~25 µs (1.2 ms for a window of 40, paid two or three times a turn). This reviver does what
 * JsonPlusSerializer's does for the records a checkpoint of ours holds (plain JSON, `undefined` markers,
 * LangChain objects), handing each LangChain object to the same `load` but keeping what it returned by its
 * exact serialized text, so a message read again is not revived again. Anything else (sets, maps, other
 * special records) goes to JsonPlusSerializer unchanged. The stored format is JsonPlusSerializer's.
 *
 * Writing, each message's serialized text is kept with the message, so the window's messages are not
 * serialized again at every checkpoint, and what was just written is kept for the read that follows it.
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
  private readonly recentReads = new RecentTexts(recentReadsKept);

  /** Each message's serialized text, made with the message id it had then. */
  private readonly storedForms = new WeakMap<BaseMessage, { id: string | undefined; text: string }>();

  constructor(private readonly capacity = 2_000) {
    super();
  }

  /**
   * The text JsonPlusSerializer writes, made faster: the value is written with each message standing in as
   * a placeholder, and each placeholder is then replaced by that message's own text, made once per message
   * by the same writer (JSON text is the same whatever surrounds it). So a checkpoint costs the writing of
   * its small plain part plus joining texts, not the whole window again.
   */
  protected override _dumps(obj: unknown): Uint8Array {
    const texts: string[] = [];
    const walk = { exact: true, cycle: false };
    const parts = this.withPlaceholders(obj, new Set(), texts, walk);
    // Plain data needs none of JsonPlusSerializer's replacer or cycle pass, and its text is the same
    // without them (see `withPlaceholders`); anything else is written by JsonPlusSerializer itself, and a
    // value with a cycle is given to it whole, so it marks the cycle where it would.
    const skeleton = walk.exact
      ? JSON.stringify(parts)
      : decoder.decode(super._dumps(walk.cycle ? obj : parts));
    const text =
      texts.length === 0
        ? skeleton
        : skeleton.replace(placeholderPattern, (_, index: string) => texts[Number(index)] ?? "");
    // What is written now is what the next turn reads first (the run's own load of the thread). When it is
    // plain data and messages only, the read can be given a copy of it instead of parsing and reviving the
    // text: the same values a read would revive, with each message the very object that was written (as a
    // run that went on in memory would have it; messages in a checkpoint are never changed, see above).
    const written = plainCopy(obj, new Set());
    if (written !== notPlain) this.recentReads.add(text, written);
    return encoder.encode(text);
  }

  /**
   * A copy of plain objects and arrays with each message replaced by a placeholder for its text, and each
   * `undefined` by the record JsonPlusSerializer's replacer writes for it. `walk.exact` is cleared when the
   * copy holds anything for which `JSON.stringify` alone would not write what JsonPlusSerializer writes:
   * an object of another class (a Set, a Map, a Date, an Error, bytes), one with its own `toJSON`, one
   * shaped like a Send (the replacer rewrites those), a big integer, a function or symbol, or a cycle.
   */
  private withPlaceholders(
    value: unknown,
    path: Set<object>,
    texts: string[],
    walk: { exact: boolean; cycle: boolean },
  ): unknown {
    if (value === undefined) return undefinedRecord();
    if (typeof value !== "object" || value === null) {
      if (typeof value === "bigint" || typeof value === "function" || typeof value === "symbol")
        walk.exact = false;
      return value;
    }
    if (path.has(value)) {
      walk.exact = false;
      walk.cycle = true;
      return value;
    }
    if (isBaseMessage(value)) {
      let kept = this.storedForms.get(value);
      if (!kept || kept.id !== value.id) {
        kept = { id: value.id, text: decoder.decode(super._dumps(value.toJSON())) };
        this.storedForms.set(value, kept);
      }
      texts.push(kept.text);
      return `${placeholderTag}${texts.length - 1}`;
    }
    const isArray = Array.isArray(value);
    if (!isArray && Object.getPrototypeOf(value) !== Object.prototype) {
      walk.exact = false;
      return value;
    }
    if (!isArray && (Object.hasOwn(value, "toJSON") || (value as { lg_name?: unknown }).lg_name === "Send"))
      walk.exact = false;
    path.add(value);
    let copy: unknown[] | Record<string, unknown>;
    if (isArray) {
      copy = new Array<unknown>(value.length);
      for (let index = 0; index < value.length; index += 1)
        copy[index] = this.withPlaceholders(value[index], path, texts, walk);
    } else {
      copy = {};
      const record = value as Record<string, unknown>;
      for (const key in record)
        if (Object.hasOwn(record, key))
          setField(copy, key, this.withPlaceholders(record[key], path, texts, walk));
    }
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
        this.recentReads.add(data, copyContainers(value));
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
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      const revived = this.revive(record[key], missing, isInsideLangChain);
      if (revived === unsupported) return unsupported;
      setField(fields, key, revived);
    }
    if (fields.lc === 2) return fields.type === "undefined" ? undefined : unsupported;
    return fields;
  }
}

const unsupported = Symbol("unsupported");

/** What JsonPlusSerializer writes for `undefined` (a new object each time: the copy is the caller's). */
const undefinedRecord = () => ({ lc: 2, type: "undefined" });
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A placeholder is a string no value of ours holds: a random tag made for this process (text from anyone
 * else cannot know it), then the index of the message's text. JSON writes it unescaped, quotes included.
 */
const placeholderTag = `askfirst-message-${randomUUID()}-`;
const placeholderPattern = new RegExp(`"${placeholderTag}(\\d+)"`, "g");

/** A turn's reads are of one or two checkpoints (and their metadata); a few more cover a review's resume. */
const recentReadsKept = 16;
