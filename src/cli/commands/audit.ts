import type { Command } from "commander";
import { AskfirstError } from "../../errors.js";
import type { AuditLog, AuditProblem, AuditRecord } from "../../store/types.js";
import type { CliContext } from "../context.js";
import { formatDuration, openStoreForReading, storeOptionHelp } from "./pending.js";

interface AuditOptions {
  thread?: string;
  json?: boolean;
  verify?: boolean;
  store?: string;
}

export function registerAudit(program: Command, ctx: CliContext): void {
  program
    .command("audit")
    .description("List the audit trail of tool calls, or check its hash chain with --verify")
    .option("--thread <id>", "only this thread's records")
    .option("--json", "print JSON instead of text")
    .option("--verify", "check the whole hash chain; exit 1 naming each edited, deleted or reordered record")
    .option("--store <spec>", storeOptionHelp)
    .action(async (options: AuditOptions) => {
      const store = await openStoreForReading(options.store, ctx);
      try {
        if (options.verify) await runVerify(store.audit, options, ctx);
        else {
          const records = await store.audit.list(options.thread ? { threadId: options.thread } : undefined);
          ctx.stdout.write(options.json ? `${JSON.stringify(records, null, 2)}\n` : formatRecords(records));
        }
      } finally {
        await store.close();
      }
    });
}

async function runVerify(audit: AuditLog, options: AuditOptions, ctx: CliContext): Promise<void> {
  const result = await audit.verify();
  ctx.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerify(result));
  if (!result.ok)
    throw new AskfirstError(`the audit trail failed verification: ${countProblems(result.problems.length)}`, {
      code: "audit_tampered",
    });
}

export function formatRecords(records: readonly AuditRecord[]): string {
  if (records.length === 0) return "No audit records.\n";
  return `${records.map(formatRecord).join("\n")}\n`;
}

function formatRecord(record: AuditRecord): string {
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
  return [
    `#${record.seq}  ${record.time}  thread ${record.threadId}  as ${record.actingUser}  ${record.tool} on ${record.server}`,
    `    ${record.tier} (${record.rule}): ${record.decision}${who}${after}; ${outcome}${edited}`,
    `    args ${JSON.stringify(record.args)}  sha256 ${record.argsHash.slice(0, 16)}`,
  ].join("\n");
}

export function formatVerify(result: { ok: boolean; count: number; problems: AuditProblem[] }): string {
  if (result.ok) return `The audit trail is intact: ${countRecords(result.count)}, hash chain verified.\n`;
  const lines = result.problems.map((problem) => `  seq ${problem.seq}: ${problem.kind} (${problem.detail})`);
  return `The audit trail has been tampered with: ${countProblems(result.problems.length)} in ${countRecords(result.count)}\n${lines.join("\n")}\n`;
}

const countProblems = (count: number): string => (count === 1 ? "1 problem" : `${count} problems`);
const countRecords = (count: number): string => (count === 1 ? "1 record" : `${count} records`);
