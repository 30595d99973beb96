import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { z } from "zod";
import { parseOrThrow } from "../config/load.js";
import { ModelBehaviourError, UsageError, describeError } from "../errors.js";

/** The scripted model file of DESIGN.md: a JSON array of turns, consumed in order. */
const turnSchema = z
  .object({
    text: z.string().optional(),
    tool_calls: z
      .array(
        z.object({ name: z.string().min(1), args: z.record(z.string(), z.unknown()).default({}) }).strict(),
      )
      .min(1)
      .optional(),
  })
  .strict()
  .refine(
    (turn) => turn.text !== undefined || turn.tool_calls !== undefined,
    "a turn needs text or tool_calls",
  );

const scriptedTurnsSchema = z.array(turnSchema);
export type ScriptedTurn = z.infer<typeof turnSchema>;

/** Where the next turn is; shared by every copy of the model so a whole session consumes one script. */
interface Cursor {
  next: number;
}

/**
 * A model that plays canned turns, for tests and scripted demos. It never reads what it is sent, so
 * anything it "learns" (a rejection, a tool result) must be checked in the transcript, not in its replies.
 */
export class ScriptedChatModel extends BaseChatModel {
  constructor(
    private readonly turns: ScriptedTurn[],
    private readonly source: string,
    private readonly cursor: Cursor = { next: 0 },
  ) {
    super({});
  }

  static async fromFile(path: string): Promise<ScriptedChatModel> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, "utf8"));
    } catch (error) {
      throw new UsageError(`cannot read scripted model ${path}: ${describeError(error)}`, "model_spec");
    }
    return new ScriptedChatModel(parseOrThrow(scriptedTurnsSchema, json, `scripted model ${path}`), path);
  }

  _llmType(): string {
    return "scripted";
  }

  override bindTools(): ScriptedChatModel {
    return new ScriptedChatModel(this.turns, this.source, this.cursor);
  }

  _generate(_messages: BaseMessage[]): Promise<ChatResult> {
    const turn = this.turns[this.cursor.next];
    if (turn === undefined)
      throw new ModelBehaviourError(
        `the scripted model ${this.source} has no turn left (it has ${this.turns.length})`,
        "script_exhausted",
      );
    this.cursor.next += 1;
    const message = new AIMessage({
      content: turn.text ?? "",
      tool_calls: (turn.tool_calls ?? []).map((call) => ({
        name: call.name,
        args: call.args,
        id: `call_${randomUUID()}`,
        type: "tool_call" as const,
      })),
    });
    return Promise.resolve({ generations: [{ text: turn.text ?? "", message }] });
  }
}
