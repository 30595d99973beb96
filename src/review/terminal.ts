import { answerHelp, cancelledAtTerminal, parseAnswer, parseEdit, unfinishedJson } from "./answers.js";
import { checkArgs } from "./argsSchema.js";
import {
  ReviewTakenElsewhere,
  type ActionContext,
  type ActionRequest,
  type Decision,
  type Reviewer,
  type ReviewRequest,
  type ReviewResponse,
} from "./decisions.js";
import { eitherOf, TerminalLineReader } from "./lineReader.js";
import { maskSecrets } from "./mask.js";
import { ctrlC, shownAsTyped, takeTypedAhead } from "./typedKeys.js";

/**
 * Asks one question and resolves with the typed line; rejects on Ctrl-C, end of input or abort. At a
 * terminal, the lines pasted after an answer in the same burst answer the questions that follow it.
 */
export type Ask = (question: string, signal: AbortSignal) => Promise<string>;

export interface TerminalReviewerOptions {
  name: string;
  ask: Ask;
  /** Where the review card, warnings and errors are written. */
  write: (text: string) => void;
  /** Seconds a person has to answer one review; expiry rejects as timed out. */
  timeoutSeconds: number;
  now?: () => number;
  /**
   * Takes what was typed before a card is shown (the person typing on while the agent worked), so that it
   * cannot answer a card the person had not seen. Without it, nothing is set aside.
   */
  typedAhead?: () => Promise<string>;
  /**
   * Takes the lines typed or pasted after an answer that no question of its card used: they are set aside
   * with what was typed ahead of the next card, or shown as unused after the last.
   */
  unused?: () => string;
}

/**
 * The person at the terminal answers. Anything that is not an answer is asked again; Ctrl-C, end of input
 * and the timeout reject (a timeout is marked so it is audited as `timed_out`, not as a person's no).
 */
export class TerminalReviewer implements Reviewer {
  readonly name: string;

  constructor(private readonly options: TerminalReviewerOptions) {
    this.name = options.name;
  }

  async review(request: ReviewRequest, signal?: AbortSignal): Promise<ReviewResponse> {
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const expiry = new AbortController();
    const timers = this.startTimers(timeoutMs, expiry);
    const combined = signal ? eitherOf(signal, expiry.signal) : expiry.signal;
    const decisions: Decision[] = [];
    try {
      for (const [index, action] of request.actionRequests.entries()) {
        const early = (this.options.unused?.() ?? "") + ((await this.options.typedAhead?.()) ?? "");
        // Ctrl-C pressed as the card came up cancels, as it would at the prompt.
        if (early.includes(ctrlC)) throw new Error("cancelled before the card was shown");
        const context = request.context.actions[index];
        this.options.write(renderCard(request, action, context, index));
        const shown = shownAsTyped(early);
        if (shown)
          this.options.write(`(typed before this card was shown, so not taken as an answer: "${shown}")\n`);
        decisions.push(await this.decide(action, context, combined));
      }
      const left = shownAsTyped(this.options.unused?.() ?? "");
      if (left) this.options.write(`(typed after the last answer, not used: "${left}")\n`);
    } catch {
      const timedOut = expiry.signal.aborted;
      const message = timedOut
        ? `no answer within ${seconds(this.options.timeoutSeconds)} (timed out)`
        : cancelledAtTerminal;
      // Answered elsewhere: what is returned here is never applied (see ReviewTakenElsewhere).
      if (signal?.reason instanceof ReviewTakenElsewhere)
        this.options.write(`\n(${signal.reason.message}: this card is closed, and that answer runs there)\n`);
      else this.options.write(`\n${message}: the remaining call(s) are rejected.\n`);
      while (decisions.length < request.actionRequests.length)
        decisions.push(timedOut ? { type: "reject", message, timedOut: true } : { type: "reject", message });
    } finally {
      for (const timer of timers) clearTimeout(timer);
      // Nothing typed for this review is kept for another.
      this.options.unused?.();
    }
    return { decisions, reviewer: this.name };
  }

  /** The deadline, and a warning a fifth of the time before it (at most 30 s; none under a second). */
  private startTimers(timeoutMs: number, expiry: AbortController): NodeJS.Timeout[] {
    const deadline = setTimeout(() => expiry.abort(), timeoutMs);
    const left = Math.round(Math.min(30_000, timeoutMs / 5) / 1000);
    if (left < 1) return [deadline];
    const warning = setTimeout(
      () => {
        this.options.write(`\n(${seconds(left)} left to answer; no answer rejects)\n`);
      },
      timeoutMs - left * 1000,
    );
    return [warning, deadline];
  }

  private async decide(
    action: ActionRequest,
    context: ActionContext | undefined,
    signal: AbortSignal,
  ): Promise<Decision> {
    for (;;) {
      const line = await this.options.ask(
        `Run ${action.name}? [yes / no: reason / edit {json} / always]`,
        signal,
      );
      const edit = /^\s*edit\s+/i.exec(line)?.[0];
      const answer = edit ? edit + (await this.readOnIfUnfinished(line.slice(edit.length), signal)) : line;
      const parsed = parseAnswer(answer, action.name);
      if (!parsed.ok) {
        this.refuse(parsed.error);
        continue;
      }
      if (parsed.wantsReason) {
        const reason = (await this.options.ask("Reason, for the agent (optional):", signal)).trim();
        return reason ? { type: "reject", message: reason } : { type: "reject" };
      }
      const decision = parsed.wantsEditArgs ? await this.askEdit(action, signal) : parsed.decision;
      if (decision.type !== "edit") return decision;
      const problem = checkArgs(context?.inputSchema, decision.editedAction.args);
      if (problem === null) return decision;
      this.refuse(`those arguments do not fit ${action.name}: ${problem}; ${answerHelp}`);
    }
  }

  /**
   * Says why an answer was not taken. Lines pasted after it were meant for the questions that would have
   * followed, not for this one asked again, which the person has not yet seen: they are set aside.
   */
  private refuse(text: string): void {
    this.options.write(`${text}\n`);
    const left = shownAsTyped(this.options.unused?.() ?? "");
    if (left) this.options.write(`(typed before this was shown, so not taken as an answer: "${left}")\n`);
  }

  private async askEdit(action: ActionRequest, signal: AbortSignal): Promise<Decision> {
    for (;;) {
      const json = await this.options.ask(`New arguments for ${action.name}, as JSON:`, signal);
      const parsed = parseEdit(await this.readOnIfUnfinished(json, signal), action.name);
      if (parsed.ok) return parsed.decision;
      this.refuse(parsed.error);
    }
  }

  /**
   * JSON arguments typed or pasted over several lines (as the card shows them): while an object or list is
   * still open, the next lines are read on. An empty line stops it, and what was given is checked as it is.
   */
  private async readOnIfUnfinished(first: string, signal: AbortSignal): Promise<string> {
    let text = first;
    while (unfinishedJson(text)) {
      const more = await this.options.ask("…", signal);
      if (more.trim() === "") break;
      text += `\n${more}`;
    }
    return text;
  }
}

function seconds(count: number): string {
  return count === 1 ? "1 second" : `${count} seconds`;
}

function renderCard(
  request: ReviewRequest,
  action: ActionRequest,
  context: ActionContext | undefined,
  index: number,
): string {
  const total = request.actionRequests.length;
  const args = JSON.stringify(maskSecrets(action.args), null, 2).replace(/\n/g, "\n    ");
  const rule = context ? `${context.tier} by ${context.rule}` : "confirm";
  const lines = [
    "",
    `── review ${index + 1} of ${total} ──`,
    `  tool:        ${action.name}${context ? ` (server ${context.server})` : ""}`,
    `  acting user: ${request.context.actingUser}`,
    `  policy:      ${rule}${context?.message ? ` — ${context.message}` : ""}`,
    `  arguments:   ${args}`,
    "",
  ];
  return lines.join("\n");
}

/**
 * The reviewer's questions on a real terminal, asked with inquirer: `ask` and what TerminalReviewer needs
 * to set aside what was typed before a card (`typedAhead`, `unused`).
 */
export async function terminalQuestions(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<Pick<TerminalReviewerOptions, "ask" | "typedAhead" | "unused">> {
  const { input: prompt } = await import("@inquirer/prompts");
  const reader = new TerminalLineReader(
    input,
    (text) => output.write(text),
    (question, signal) =>
      prompt(
        { message: question },
        { input, output, clearPromptOnDone: false, ...(signal ? { signal } : {}) },
      ),
  );
  return {
    ask: (question, signal) => reader.next(question, signal),
    typedAhead: () => takeTypedAhead(input),
    unused: () => reader.takeUnused(),
  };
}
