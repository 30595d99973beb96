import type { RunnableConfig } from "@langchain/core/runnables";
import {
  copyCheckpoint,
  WRITES_IDX_MAP,
  type Checkpoint,
  type CheckpointMetadata,
  type PendingWrite,
  type SerializerProtocol,
} from "@langchain/langgraph-checkpoint";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type Database from "better-sqlite3";
import { reviewsToQueue, topLevelThread, type QueuedReview } from "./queueing.js";

/** The queue's side of a checkpoint write, run inside its transaction. */
export interface SqliteQueueUpkeep {
  record(threadId: string, checkpointId: string, reviews: QueuedReview[]): void;
}

/**
 * LangGraph's SqliteSaver, whose writes keep the review queue (queueing.ts) in the same transaction: a
 * review is in the queue exactly when its interrupt is in the store. Its statements are prepared once.
 * Reading is SqliteSaver's own; rows are written to its tables as it writes them.
 */
export class QueueKeepingSqliteSaver extends SqliteSaver {
  private statements:
    { checkpoint: Database.Statement; replace: Database.Statement; keep: Database.Statement } | undefined;

  constructor(
    db: Database.Database,
    serde: SerializerProtocol,
    private readonly upkeep: SqliteQueueUpkeep,
  ) {
    super(db, serde);
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
  ): Promise<RunnableConfig> {
    const statements = this.prepared();
    const { thread_id: threadId, checkpoint_ns: namespace = "", checkpoint_id: parentId } = addressOf(config);
    if (typeof threadId !== "string" || threadId === "")
      throw new Error('Missing "thread_id" field in passed "config.configurable".');
    const [[type, body], [metadataType, metadataBody]] = await Promise.all([
      this.serde.dumpsTyped(copyCheckpoint(checkpoint)),
      this.serde.dumpsTyped(metadata),
    ]);
    if (type !== metadataType)
      throw new Error(
        `a checkpoint and its metadata were written as ${type} and ${metadataType}: one type expected`,
      );
    const row = [threadId, namespace, checkpoint.id, parentId, type, body, metadataBody];
    const topLevel = topLevelThread(config) !== null;
    this.db.transaction(() => {
      statements.checkpoint.run(...row);
      if (topLevel) this.upkeep.record(threadId, checkpoint.id, []);
    })();
    return { configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const statements = this.prepared();
    const { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpointId } = addressOf(config);
    if (!threadId) throw new Error("Missing thread_id field in config.configurable.");
    if (typeof checkpointId !== "string" || checkpointId === "")
      throw new Error("Missing checkpoint_id field in config.configurable.");
    // Writes of the special channels (an interrupt, an error) replace an earlier one; others are kept once.
    const isSpecial = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const statement = isSpecial ? statements.replace : statements.keep;
    const rows = await Promise.all(
      writes.map(async ([channel, value], index) => {
        const [type, body] = await this.serde.dumpsTyped(value);
        const idx = WRITES_IDX_MAP[channel] ?? index;
        return [threadId, namespace ?? "", checkpointId, taskId, idx, channel, type, body];
      }),
    );
    const queued = reviewsToQueue(config, writes);
    this.db.transaction(() => {
      for (const row of rows) statement.run(...row);
      if (queued) this.upkeep.record(queued.threadId, queued.checkpointId, queued.reviews);
    })();
  }

  private prepared() {
    this.setup();
    if (this.statements) return this.statements;
    const writes = (verb: string) =>
      this.db.prepare(
        `INSERT ${verb} INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
    this.statements = {
      checkpoint: this.db.prepare(
        `INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      replace: writes("OR REPLACE"),
      keep: writes("OR IGNORE"),
    };
    return this.statements;
  }
}

function addressOf(config: RunnableConfig): Record<string, unknown> {
  return (config.configurable ?? {}) as Record<string, unknown>;
}
