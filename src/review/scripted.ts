import { readFile } from "node:fs/promises";
import { UsageError, describeError } from "../errors.js";
import { parseAnswer } from "./answers.js";
import { checkArgs } from "./argsSchema.js";
import type { Decision, Reviewer, ReviewRequest, ReviewResponse } from "./decisions.js";

/** Receives one line for the person about what a non-interactive reviewer decided on their behalf. */
export type Notice = (line: string) => void;

/**
 * Canned answers from an `--answers` file, one line per reviewed call in call order, across the whole
 * session. Blank lines and lines starting with # are skipped. Running out rejects, and says so.
 */
export class ScriptedReviewer implements Reviewer {
  private next = 0;

  constructor(
    readonly name: string,
    private readonly lines: string[],
    private readonly source: string,
    private readonly notice: Notice,
  ) {}

  static async fromFile(path: string, name: string, notice: Notice): Promise<ScriptedReviewer> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read answers file ${path}: ${describeError(error)}`, "answers_file");
    }
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    for (const [index, line] of lines.entries()) {
      const parsed = parseAnswer(line, "tool");
      if (!parsed.ok)
        throw new UsageError(`answers file ${path}, answer ${index + 1}: ${parsed.error}`, "answers_file");
    }
    return new ScriptedReviewer(name, lines, path, notice);
  }

  review(request: ReviewRequest): Promise<ReviewResponse> {
    const decisions = request.actionRequests.map((action, index) =>
      this.decide(action.name, request.context.actions[index]?.inputSchema),
    );
    return Promise.resolve({ decisions, reviewer: this.name });
  }

  private decide(actionName: string, inputSchema: Record<string, unknown> | undefined): Decision {
    const line = this.lines[this.next];
    this.next += 1;
    if (line === undefined) {
      const message = `no answer left in ${this.source}, so the call was rejected`;
      this.notice(`${actionName}: ${message}`);
      return { type: "reject", message };
    }
    const parsed = parseAnswer(line, actionName);
    if (!parsed.ok) return { type: "reject", message: parsed.error };
    if (parsed.decision.type === "edit") {
      const problem = checkArgs(inputSchema, parsed.decision.editedAction.args);
      if (problem !== null) {
        const message = `the scripted edit does not fit ${actionName}'s arguments (${problem}), so the call was rejected`;
        this.notice(message);
        return { type: "reject", message };
      }
    }
    return parsed.decision;
  }
}

/** No terminal and no answers file: nobody can review, so every call that needs review is rejected. */
export class NobodyReviewer implements Reviewer {
  readonly nobody = true;

  constructor(
    readonly name: string,
    private readonly notice: Notice,
  ) {}

  review(request: ReviewRequest): Promise<ReviewResponse> {
    const message = "no terminal and no --answers file, so nobody could review this call; it was rejected";
    for (const action of request.actionRequests) this.notice(`${action.name}: ${message}`);
    return Promise.resolve({
      decisions: request.actionRequests.map(() => ({ type: "reject" as const, message })),
      reviewer: this.name,
    });
  }
}
