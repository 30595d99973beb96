// Runs every benchmark and prints one table. Each figure is compared with its bare alternative measured
// in the same run. Usage: npm run bench [-- name ...] (names: the keys of `benches` below).
import { benchAgentLoop } from "./agentLoop.mjs";
import { benchBackend } from "./backend.mjs";
import { benchChatQuery } from "./chatQuery.mjs";
import { benchMcpTurn } from "./mcpTurn.mjs";
import { benchPending } from "./pending.mjs";
import { benchReview } from "./review.mjs";
import { benchServe } from "./serve.mjs";
import { benchStartup } from "./startup.mjs";
import { benchStoreSize } from "./storeSize.mjs";

const benches = {
  startup: benchStartup,
  backend: benchBackend,
  serve: benchServe,
  pending: benchPending,
  agent: benchAgentLoop,
  storage: benchStoreSize,
  mcpTurn: benchMcpTurn,
  review: benchReview,
  chat: benchChatQuery,
};

const columns = ["what", "figure", "comparison", "ratio", "target", "holds"];

function printTable(rows) {
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((r) => String(r[column]).length)),
  );
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(" | ")} |`;
  console.log(line(columns));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(columns.map((column) => r[column])));
}

const wanted = process.argv.slice(2);
const rows = [];
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  try {
    rows.push(...(await bench()));
  } catch (error) {
    rows.push({
      what: name,
      figure: "failed",
      comparison: String(error.message ?? error).slice(0, 120),
      ratio: "-",
      target: "-",
      holds: "no",
    });
  }
}
printTable(rows);
process.exitCode = rows.every((r) => r.holds === "yes") ? 0 : 1;
