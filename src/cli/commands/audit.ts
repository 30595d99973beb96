import type { Command } from "commander";
import { AskfirstError, UsageError } from "../../errors.js";
import { digestMatches, type AuditVerification, type ChainHead } from "../../store/auditChain.js";
import type { AuditLog, AuditRecord } from "../../store/types.js";
import { parseArgsFlag } from "./argsFlag.js";
import type { CliContext } from "../context.js";
import { formatDuration, openStoreForReading, storeOptionHelp } from "./pending.js";

interface AuditOptions {
  thread?: string;
  seq?: string;
  matchArgs?: string;
  json?: boolean;
  verify?: boolean;
  expectHead?: string;
  store?: string;
}

export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command("audit")
    .description("List the audit trail of tool calls, or check its hash chain with --verify")
    .option("--thread <id>", "only this thread's records")
    .option("--seq <n>", "only the record numbered n")
    .option(
      "--match-args <json>",
      "with --seq: say whether these exact arguments are the ones asked for and the ones that ran; exit 1 when neither",
    )
    .option("--json", "print JSON instead of text")
    .option("--verify", "check the whole hash chain; exit 1 naming each edited, deleted or reordered record")
    .option(
      "--expect-head <seq:hash>",
      "with --verify: the head an earlier --verify printed, kept elsewhere; exit 1 unless the trail still holds it unchanged",
    )
    .option("--store <spec>", storeOptionHelp)
    .action(async (options: AuditOptions) => {
      const seq = parseSeq(options);
      if (options.thread !== undefined) {
        const { checkThreadId } = await import("../identifiers.js");
        checkThreadId(options.thread, "--thread");
      }
      if (options.verify && options.thread !== undefined)
        throw new UsageError(
          "--verify checks the whole hash chain, every thread's records: leave out --thread",
        );
      const args = options.matchArgs === undefined ? null : parseArgsFlag("--match-args", options.matchArgs);
      const anchor = parseExpectHead(options);
      const store = await openStoreForReading(options.store, ctx);
      try {
        if (options.verify) await runVerify(store.audit, anchor, options, ctx);
        else {
          const all = await store.audit.list(options.thread ? { threadId: options.thread } : undefined);
          const records = seq === null ? all : all.filter((record) => record.seq === seq);
          if (args !== null) runMatch(store.audit, records, { seq: seq ?? 0, args }, options, ctx);
          else
            ctx.stdout.write(
              options.json ? `${JSON.stringify(records.map(jsonRecord), null, 2)}\n` : formatRecords(records),
            );
        }
      } finally {
        await store.close();
      }
    });
}

function parseSeq(options: AuditOptions): number | null {
  if (options.seq === undefined) {
    if (options.matchArgs !== undefined)
      throw new UsageError("--match-args needs --seq <n>: the record whose arguments to check");
    return null;
  }
  if (!/^[1-9][0-9]{0,14}$/.test(options.seq))
    throw new UsageError(`--seq needs a record number (1, 2, ...), not "${options.seq}"`);
  return Number(options.seq);
}

/** `--expect-head <seq>:<hash>`, as `--verify` prints it; the hash may be cut short to 16 hex digits. */
function parseExpectHead(options: AuditOptions): ChainHead | null {
  if (options.expectHead === undefined) return null;
  if (!options.verify)
    throw new UsageError(
      "--expect-head goes with --verify: askfirst audit --verify --expect-head <seq>:<hash>",
    );
  const match = /^([1-9][0-9]{0,14}):([0-9a-fA-F]{16,64})$/.exec(options.expectHead.trim());
  if (!match)
    throw new UsageError(
      `--expect-head needs the head askfirst audit --verify printed, <seq>:<hash> with at least 16 hex digits, not "${options.expectHead}"`,
    );
  return { seq: Number(match[1]), hash: (match[2] ?? "").toLowerCase() };
}

/**
 * Whether the given arguments are exactly those a record's digests were made from: the only way to read
 * them back, since the digests are keyed with the store's audit key (auditChain.ts).
 */
function runMatch(
  audit: AuditLog,
  records: readonly AuditRecord[],
  query: { seq: number; args: Record<string, unknown> },
  options: AuditOptions,
  ctx: CliContext,
): void {
  const record = records[0];
  if (!record)
    throw new UsageError(
      `there is no audit record #${query.seq}${options.thread ? ` in thread ${options.thread}` : ""}`,
      "no_record",
    );
  if (record.unreadable)
    throw new AskfirstError(`audit record #${record.seq} is unreadable: ${record.unreadable}`, {
      code: "record_unreadable",
    });
  const asked = digestMatches(audit.digestArgs, record.argsHash, query.args);
  const ran =
    record.executedArgsHash === null
      ? null
      : digestMatches(audit.digestArgs, record.executedArgsHash, query.args);
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify({ seq: record.seq, asked, ran })}\n`
      : `${describeMatch(record, asked, ran)}\n`,
  );
  if (!asked && !ran)
    throw new AskfirstError(`those are not the arguments of audit record #${record.seq}`, {
      code: "args_mismatch",
    });
}

function describeMatch(record: AuditRecord, asked: boolean, ran: boolean | null): string {
  const call = `#${record.seq} ${record.tool}`;
  const askedText = asked ? "the arguments asked for" : "not the arguments asked for";
  const ranText =
    ran === null ? "nothing ran" : ran ? "the arguments that ran" : "not the arguments that ran";
  return `${call}: these are ${askedText}; ${ran === null ? ranText : `they are ${ranText}`}.`;
}

async function runVerify(
  audit: AuditLog,
  anchor: ChainHead | null,
  options: AuditOptions,
  ctx: CliContext,
): Promise<void> {
  const result = await audit.verify(anchor ?? undefined);
  ctx.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerify(result, anchor));
  if (!result.ok)
    throw new AskfirstError(`the audit trail failed verification: ${countProblems(result.problems.length)}`, {
      code: "audit_tampered",
    });
}

export function formatRecords(records: readonly AuditRecord[]): string {
  if (records.length === 0) return "No audit records.\n";
  return `${records.map(formatRecord).join("\n")}\n`;
}

/** An unreadable record as JSON: only what its columns still tell, not the placeholders of its entry. */
function jsonRecord(record: AuditRecord): object {
  if (!record.unreadable) return record;
  const { seq, threadId, toolCallId, prevHash, hash, unreadable } = record;
  return { seq, threadId, toolCallId, prevHash, hash, unreadable };
}

function formatRecord(record: AuditRecord): string {
  if (record.unreadable)
    return `#${record.seq}  thread ${record.threadId}  call ${record.toolCallId}: unreadable (${record.unreadable})`;
  const who = record.reviewer ? ` by ${record.reviewer}` : "";
  const after = record.decideMs === null ? "" : ` after ${formatDuration(record.decideMs)}`;
  const outcome =
    record.outcome === "ok"
      ? "ran ok"
      : record.outcome === "error"
        ? `failed: ${record.error ?? "error"}`
        : "did not run";
  const edited =
    record.executedArgsHash && record.executedArgsHash !== record.argsHash ? " (with edited arguments)" : "";
  const lines = [
    `#${record.seq}  ${record.time}  thread ${record.threadId}  as ${record.actingUser}  ${record.tool} on ${record.server}`,
    `    ${record.tier} (${record.rule}): ${record.decision}${who}${after}; ${outcome}${edited}`,
    `    args ${JSON.stringify(record.args)}  ${digestLabel(record.argsHash)}`,
  ];
  if (record.editedArgs && record.executedArgsHash)
    lines.push(`    ran with ${JSON.stringify(record.editedArgs)}  ${digestLabel(record.executedArgsHash)}`);
  return lines.join("\n");
}

/** A short form of an arguments digest: keyed ones say so; records from before keys carry bare sha256. */
function digestLabel(digest: string): string {
  const [kind, hex] = digest.includes(":") ? digest.split(":", 2) : ["sha256", digest];
  return `${kind} ${(hex ?? "").slice(0, 16)}`;
}

export function formatVerify(result: AuditVerification, anchor: ChainHead | null = null): string {
  if (result.ok) {
    const kept = anchor ? `, and it still holds the head you kept (${anchor.seq}:${anchor.hash})` : "";
    const intact = `The audit trail is intact: ${countRecords(result.count)}, hash chain verified${kept}.\n`;
    if (!result.head) return intact;
    // Whoever can write the store can cut its tail or seal it again; a head kept elsewhere shows that.
    const head = `${result.head.seq}:${result.head.hash.slice(0, headDigits)}`;
    return `${intact}Head: ${head}  (keep it elsewhere: askfirst audit --verify --expect-head ${head} fails if the trail is later cut short or rewritten)\n`;
  }
  const lines = result.problems.map((problem) => `  seq ${problem.seq}: ${problem.kind} (${problem.detail})`);
  return `The audit trail has been tampered with: ${countProblems(result.problems.length)} in ${countRecords(result.count)}\n${lines.join("\n")}\n`;
}

/** Hex digits of the head's hash printed: 128 bits, too many to forge a record that matches them. */
const headDigits = 32;

const countProblems = (count: number): string => (count === 1 ? "1 problem" : `${count} problems`);
const countRecords = (count: number): string => (count === 1 ? "1 record" : `${count} records`);
