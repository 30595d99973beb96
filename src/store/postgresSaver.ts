import type { RunnableConfig } from "@langchain/core/runnables";
import { WRITES_IDX_MAP, type BaseCheckpointSaver, type PendingWrite } from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import type { Quote } from "./postgres.js";
import { dropSupersededReviews, reviewsInWrites, topLevelThread, type QueuedReview } from "./queueing.js";
import { CheckpointSerializer } from "./serde.js";

/** The queue's side of a checkpoint write, run on the writer's connection (inside its transaction). */
export interface PostgresQueueUpkeep {
  record(
    client: pg.Pool | pg.PoolClient,
    threadId: string,
    checkpointId: string,
    reviews: QueuedReview[],
  ): Promise<void>;
}

/**
 * LangGraph's PostgresSaver, whose interrupt writes queue their review in the same transaction
 * (queueing.ts): a review is listed exactly when its interrupt is stored. The thread's superseded reviews
 * leave right after each checkpoint is written (a crash in between leaves one listed that the thread has
 * moved past: answering it is refused as taken, and the queue put right).
 */
class QueueKeepingPostgresSaver extends PostgresSaver {
  constructor(
    private readonly connections: pg.Pool,
    private readonly writesTable: string,
    private readonly upkeep: PostgresQueueUpkeep,
    schema: string,
  ) {
    super(connections, new CheckpointSerializer(), { schema });
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const { checkpoint_ns: namespace, checkpoint_id: checkpointId } = (config.configurable ?? {}) as Record<
      string,
      unknown
    >;
    const threadId = topLevelThread(config);
    const reviews = threadId === null ? [] : reviewsInWrites(threadId, writes);
    if (threadId === null || typeof checkpointId !== "string" || reviews.length === 0)
      return super.putWrites(config, writes, taskId);
    const rows = await this._dumpWrites(
      threadId,
      typeof namespace === "string" ? namespace : "",
      checkpointId,
      taskId,
      writes,
    );
    // As PostgresSaver writes them: the special channels' writes (an interrupt, an error) replace earlier ones.
    const isSpecial = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const onConflict = isSpecial
      ? "DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob"
      : "DO NOTHING";
    const client = await this.connections.connect();
    try {
      await client.query("BEGIN");
      for (const row of rows)
        await client.query(
          `INSERT INTO ${this.writesTable} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) ${onConflict}`,
          row,
        );
      await this.upkeep.record(client, threadId, checkpointId, reviews);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The store's checkpointer, its tables set up (once across processes: see the lock below). */
export async function openPostgresSaver(
  pool: pg.Pool,
  schema: string,
  q: Quote,
  upkeep: PostgresQueueUpkeep,
): Promise<BaseCheckpointSaver> {
  const saver = new QueueKeepingPostgresSaver(pool, q("checkpoint_writes"), upkeep, schema);
  // setup() runs migrations on its own connection; a session lock held here keeps two processes from
  // running them at once.
  const lock = await pool.connect();
  try {
    await lock.query("SELECT pg_advisory_lock(hashtext($1))", [`askfirst:saver:${schema}`]);
    await saver.setup();
  } finally {
    await lock
      .query("SELECT pg_advisory_unlock(hashtext($1))", [`askfirst:saver:${schema}`])
      .catch(() => undefined);
    lock.release();
  }
  dropSupersededReviews(saver, {
    record: (threadId, checkpointId, reviews) => upkeep.record(pool, threadId, checkpointId, reviews),
  });
  return saver;
}
