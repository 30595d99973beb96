// `askfirst pending` on a store with 10,000 threads (each with a checkpoint), 1,000 of them waiting for a
// review, against the same command on an empty store.
import { join } from "node:path";
import { emptyCheckpoint } from "@langchain/langgraph-checkpoint";
import { openStore } from "../dist/store/open.js";
import { cliPath, fmtMs, fmtRatio, medianOf, row, timeCommand, withTempDir } from "./lib.mjs";

const threads = 10_000;
const waiting = 1_000;

function reviewFor(threadId, now) {
  return {
    threadId,
    interruptId: `${threadId.replace(/\W/g, "").padEnd(32, "0").slice(0, 32)}`,
    actingUser: "henry",
    createdAt: now - 60_000,
    deadline: now + 240_000,
    request: {
      actionRequests: [
        {
          name: "order_dish",
          args: { resource_instance: "sushi-world", dish_name: "Omakase" },
          description: "",
        },
      ],
      reviewConfigs: [{ actionName: "order_dish", allowedDecisions: ["approve", "edit", "reject"] }],
      context: {
        actingUser: "henry",
        actions: [
          {
            toolCallId: `call-${threadId}`,
            server: "askfirst",
            tier: "confirm",
            rule: "rule 5 (order_dish)",
          },
        ],
        requestedAt: now - 60_000,
        deadline: now + 240_000,
      },
    },
  };
}

async function fill(spec, cwd) {
  const store = await openStore(spec, { cwd });
  const saver = store.checkpointer;
  const now = Date.now();
  for (let i = 0; i < threads; i += 1) {
    const threadId = `thread-${i}`;
    const checkpoint = { ...emptyCheckpoint(), id: `1ef${String(i).padStart(33, "0")}` };
    await saver.put(
      { configurable: { thread_id: threadId, checkpoint_ns: "" } },
      checkpoint,
      { source: "loop", step: 1, parents: {} },
      {},
    );
    await store.threads.touch(threadId, "henry");
    if (i % (threads / waiting) === 0) await store.queue.put(reviewFor(threadId, now));
  }
  const listed = (await store.queue.list()).length;
  await store.close();
  if (listed !== waiting) throw new Error(`expected ${waiting} pending reviews, the store lists ${listed}`);
}

export async function benchPending() {
  return withTempDir("pending", async (dir) => {
    const full = `sqlite:${join(dir, "full.db")}`;
    const empty = `sqlite:${join(dir, "empty.db")}`;
    await fill(full, dir);
    await (await openStore(empty, { cwd: dir })).close();
    const run = (spec) => () =>
      timeCommand(process.execPath, [cliPath, "pending", "--json", "--store", spec]);
    const emptyMs = await medianOf(9, run(empty), 1);
    const fullMs = await medianOf(9, run(full), 1);
    return [
      row(
        `askfirst pending, ${threads.toLocaleString("en")} threads, ${waiting.toLocaleString("en")} waiting (median of 9)`,
        fmtMs(fullMs),
        `empty store: ${fmtMs(emptyMs)}`,
        fmtRatio(fullMs / emptyMs),
        "≤ 200 ms",
        fullMs <= 200,
      ),
    ];
  });
}
