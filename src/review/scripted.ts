import { readFile } from "node:fs/promises";
import { UsageError, describeError } from "../errors.js";
import { parseAnswer } from "./answers.js";
import { checkArgs } from "./argsSchema.js";
import type { Decision, Reviewer, ReviewRequest, ReviewResponse } from "./decisions.js";
import { answersRanOutReviewer } from "./reviewerNames.js";

/** Receives one line for the person about what a non-interactive reviewer decided on their behalf. */
export type Notice = (line: string) => void;

/** One answer of an answers file and the line it is on, so an error can point at it. */
interface AnswerLine {
  text: string;
  line: number;
}

/**
 * Canned answers from an `--answers` file, one line per reviewed call in call order, across the whole
 * session. Blank lines and lines starting with # are skipped. Running out rejects, and says so. An answer
 * that cannot be applied (an edit whose arguments the tool's schema refuses) answers nothing: the review
 * throws, so it stays pending, rather than turning a scripted mistake into a decision nobody made.
 */
export class ScriptedReviewer implements Reviewer {
  private next = 0;

  constructor(
    readonly name: string,
    private readonly answers: AnswerLine[],
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
    const answers = text
      .split(/\r?\n/)
      .map((line, index) => ({ text: line, line: index + 1 }))
      .filter(({ text: line }) => line.trim() !== "" && !line.trim().startsWith("#"));
    for (const answer of answers) {
      const problem = checkAnswerLine(answer.text);
      if (problem !== null)
        throw new UsageError(`answers file ${path}, line ${answer.line}: ${problem}`, "answers_file");
    }
    return new ScriptedReviewer(name, answers, path, notice);
  }

  /** Takes the next answers only when every call of the request has one that applies; else rejects. */
  review(request: ReviewRequest): Promise<ReviewResponse> {
    return Promise.resolve().then(() => this.answer(request));
  }

  private answer(request: ReviewRequest): ReviewResponse {
    const decisions = request.actionRequests.map((action, index) =>
      this.decide(action.name, request.context.actions[index]?.inputSchema, this.next + index),
    );
    // With no line left for any call, nobody decided: the audit must not name the file's reviewer.
    const ranOut = this.next >= this.answers.length;
    this.next += decisions.length;
    return { decisions, reviewer: ranOut ? answersRanOutReviewer : this.name };
  }

  private decide(
    actionName: string,
    inputSchema: Record<string, unknown> | undefined,
    position: number,
  ): Decision {
    const answer = this.answers[position];
    if (answer === undefined) {
      const message = `no answer left in ${this.source}, so the call was rejected`;
      this.notice(`${actionName}: ${message}`);
      return { type: "reject", message };
    }
    const parsed = parseAnswer(answer.text, actionName);
    if (!parsed.ok) return { type: "reject", message: parsed.error };
    if (parsed.decision.type === "edit") {
      const problem = checkArgs(inputSchema, parsed.decision.editedAction.args);
      if (problem !== null)
        throw new UsageError(
          `answers file ${this.source}, line ${answer.line}: the edit does not fit ${actionName}'s arguments (${problem}); nothing was answered, the review is still pending`,
          "answers_file",
        );
    }
    return parsed.decision;
  }
}

/**
 * What is wrong with one line of an answers file, or null. A bare `edit` asks a person for the arguments
 * next; a file has nobody to ask, and taking it as an edit to no arguments would run the tool with none.
 */
function checkAnswerLine(text: string): string | null {
  const parsed = parseAnswer(text, "tool");
  if (!parsed.ok) return parsed.error;
  if (parsed.wantsEditArgs)
    return 'edit needs the new arguments on the same line, as a JSON object, e.g. edit {"amount": 5}';
  return null;
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
