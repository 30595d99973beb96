import type { RunnableConfig } from "@langchain/core/runnables";
import {
  WRITES_IDX_MAP,
  type BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointMetadata,
  type PendingWrite,
} from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type pg from "pg";
import { withTransaction, type Quote } from "./postgres.js";
import { isPermissionDenied } from "./postgresTables.js";
import { reviewsToQueue, topLevelThread, type QueuedReview } from "./queueing.js";
import { CheckpointSerializer } from "./serde.js";

/** The queue's side of a checkpoint write, run on the writer's connection (inside its transaction). */
export interface PostgresQueueUpkeep {
  record(
    client: pg.PoolClient,
    threadId: string,
    checkpointId: string,
    reviews: QueuedReview[],
  ): Promise<void>;
}

/**
 * LangGraph's PostgresSaver, whose top-level writes keep the review queue (queueing.ts) in the same
 * transaction: a review is listed exactly when its interrupt is stored, and until the thread's next
 * checkpoint is. Those writes go to PostgresSaver's tables as it writes them, serialized by its own
 * helpers; reading, and a subgraph's writes, are PostgresSaver's own.
 */
class QueueKeepingPostgresSaver extends PostgresSaver {
  constructor(
    private readonly connections: pg.Pool,
    private readonly q: Quote,
    private readonly upkeep: PostgresQueueUpkeep,
    schema: string,
  ) {
    super(connections, new CheckpointSerializer(), { schema });
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = topLevelThread(config);
    if (threadId === null) return super.put(config, checkpoint, metadata, newVersions);
    const parentId = (config.configurable as Record<string, unknown>).checkpoint_id;
    const body = this._dumpCheckpoint(checkpoint);
    const [blobs, meta] = await Promise.all([
      this._dumpBlobs(threadId, "", checkpoint.channel_values, newVersions),
      this._dumpMetadata(metadata) as Promise<unknown>,
    ]);
    await withTransaction(this.connections, async (client) => {
      for (const blob of blobs)
        await client.query(
          `INSERT INTO ${this.q("checkpoint_blobs")} (thread_id, checkpoint_ns, channel, version, type, blob)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING`,
          blob,
        );
      await client.query(
        `INSERT INTO ${this.q("checkpoints")} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id)
         DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`,
        [threadId, "", checkpoint.id, parentId, body, meta],
      );
      await this.upkeep.record(client, threadId, checkpoint.id, []);
    });
    return { configurable: { thread_id: threadId, checkpoint_ns: "", checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const queued = reviewsToQueue(config, writes);
    if (!queued) return super.putWrites(config, writes, taskId);
    const { threadId, checkpointId, reviews } = queued;
    const rows = await this._dumpWrites(threadId, "", checkpointId, taskId, writes);
    // As PostgresSaver writes them: the special channels' writes (an interrupt, an error) replace earlier ones.
    const isSpecial = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const onConflict = isSpecial
      ? "DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob"
      : "DO NOTHING";
    await withTransaction(this.connections, async (client) => {
      for (const row of rows)
        await client.query(
          `INSERT INTO ${this.q("checkpoint_writes")} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) ${onConflict}`,
          row,
        );
      await this.upkeep.record(client, threadId, checkpointId, reviews);
    });
  }
}

/** The store's checkpointer, its tables set up (once across processes: see the lock below). */
export async function openPostgresSaver(
  pool: pg.Pool,
  schema: string,
  q: Quote,
  upkeep: PostgresQueueUpkeep,
): Promise<BaseCheckpointSaver> {
  const saver = new QueueKeepingPostgresSaver(pool, q, upkeep, schema);
  // setup() runs migrations on its own connection; a session lock held here keeps two processes from
  // running them at once.
  const lock = await pool.connect();
  try {
    await lock.query("SELECT pg_advisory_lock(hashtext($1))", [`askfirst:saver:${schema}`]);
    await saver.setup().catch(async (error: unknown) => {
      // A role that may only use the rows opens tables their owner has set up (see prepareTables).
      const isSetUp = isPermissionDenied(error)
        ? await lock.query(`SELECT 1 FROM ${q("checkpoint_migrations")} LIMIT 1`).then(
            (found) => found.rowCount === 1,
            () => false,
          )
        : false;
      if (!isSetUp) throw error;
    });
  } finally {
    await lock
      .query("SELECT pg_advisory_unlock(hashtext($1))", [`askfirst:saver:${schema}`])
      .catch(() => undefined);
    lock.release();
  }
  return saver;
}
