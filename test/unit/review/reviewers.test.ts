import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseAnswer } from "../../../src/review/answers.js";
import { ReviewTakenElsewhere, type ReviewRequest } from "../../../src/review/decisions.js";
import { NobodyReviewer, ScriptedReviewer } from "../../../src/review/scripted.js";
import { TerminalLineReader } from "../../../src/review/lineReader.js";
import { TerminalReviewer, type Ask } from "../../../src/review/terminal.js";
import { pastedAt, terminalInput } from "../../helpers/terminalInput.js";

const paySchema = {
  type: "object",
  properties: { to: { type: "string" }, amount: { type: "number" } },
  required: ["to", "amount"],
};

function request(count = 1): ReviewRequest {
  const names = Array.from({ length: count }, (_, index) => `pay_${index + 1}`);
  return {
    actionRequests: names.map((name) => ({
      name,
      args: { to: "ann", amount: 5, api_key: "sk-secret" },
      description: "",
    })),
    reviewConfigs: names.map((name) => ({
      actionName: name,
      allowedDecisions: ["approve", "edit", "reject"],
    })),
    context: {
      actingUser: "henry",
      actions: names.map((_, index) => ({
        toolCallId: `c${index}`,
        server: "bank",
        tier: "confirm" as const,
        rule: "rule 2 (pay)",
        message: "money leaves",
        inputSchema: paySchema,
      })),
      requestedAt: 0,
      deadline: null,
    },
  };
}

/** Nobody types anything: the question is only ever given up on (the timeout aborts it). */
const neverAnswered: Ask = (_question, signal) =>
  new Promise((_, reject) => {
    if (signal.aborted) reject(new Error("aborted"));
    signal.addEventListener("abort", () => reject(new Error("aborted")));
  });

/** Plays typed lines in order; an Error in the list is thrown as Ctrl-C would be. */
function typed(lines: (string | Error)[]): Ask {
  return () => {
    const next = lines.shift();
    if (next === undefined || next instanceof Error) return Promise.reject(next ?? new Error("end of input"));
    return Promise.resolve(next);
  };
}

describe("answers", () => {
  it("reads the DESIGN.md format", () => {
    expect(parseAnswer("Y", "t")).toMatchObject({ ok: true, decision: { type: "approve" } });
    expect(parseAnswer("always", "t")).toMatchObject({ decision: { type: "approve", grant: true } });
    expect(parseAnswer("no: too much", "t")).toMatchObject({
      decision: { type: "reject", message: "too much" },
    });
    expect(parseAnswer('edit {"a": 1}', "t")).toMatchObject({
      decision: { type: "edit", editedAction: { name: "t", args: { a: 1 } } },
    });
    expect(parseAnswer("maybe", "t")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not an answer: "maybe"/) as unknown,
    });
    expect(parseAnswer("edit [1]", "t")).toMatchObject({ ok: false });
  });
});

describe("the terminal reviewer", () => {
  let written: string;
  const reviewer = (ask: Ask, timeoutSeconds = 300, typedAhead?: () => Promise<string>) =>
    new TerminalReviewer({
      name: "jane",
      ask,
      write: (text) => (written += text),
      timeoutSeconds,
      ...(typedAhead ? { typedAhead } : {}),
    });
  beforeEach(() => {
    written = "";
  });

  it("shows tool, server, acting user, rule and masked arguments, and asks again after a non-answer", async () => {
    const response = await reviewer(typed(["perhaps", "yes"])).review(request());
    expect(response).toEqual({ decisions: [{ type: "approve" }], reviewer: "jane" });
    expect(written).toMatch(/tool: +pay_1 \(server bank\)/);
    expect(written).toMatch(/acting user: henry/);
    expect(written).toMatch(/policy: +confirm by rule 2 \(pay\) — money leaves/);
    expect(written).toContain('"api_key": "***"');
    expect(written).not.toContain("sk-secret");
    expect(written).toMatch(/not an answer: "perhaps"/);
  });

  it("asks for a reason after a plain no, and validates an edit against the tool's schema before accepting it", async () => {
    const response = await reviewer(
      typed(["no", "too much", 'edit {"to": "ann"}', 'edit {"to": "ann", "amount": 2}']),
    ).review(request(2));
    expect(response.decisions).toEqual([
      { type: "reject", message: "too much" },
      { type: "edit", editedAction: { name: "pay_2", args: { to: "ann", amount: 2 } } },
    ]);
    expect(written).toMatch(/those arguments do not fit pay_2: .*amount/);
  });

  it("reads JSON arguments given over several lines, after edit or at the New arguments question", async () => {
    const asked: string[] = [];
    const lines = [
      ...["edit {", '  "to": "bo",', '  "amount": 3', "}"],
      ...["edit", "{", '  "to": "cy", "amount": [', ""],
      '{"to": "cy", "amount": 4}',
    ];
    const ask: Ask = (question) => {
      asked.push(question);
      const line = lines.shift();
      return line === undefined ? Promise.reject(new Error("end of input")) : Promise.resolve(line);
    };
    const response = await reviewer(ask).review(request(2));
    expect(response.decisions).toEqual([
      { type: "edit", editedAction: { name: "pay_1", args: { to: "bo", amount: 3 } } },
      { type: "edit", editedAction: { name: "pay_2", args: { to: "cy", amount: 4 } } },
    ]);
    expect(asked).toEqual([
      expect.stringMatching(/^Run pay_1\?/) as unknown,
      ...["…", "…", "…"],
      expect.stringMatching(/^Run pay_2\?/) as unknown,
      ...["New arguments for pay_2, as JSON:", "…", "…"],
      // The empty line ended the JSON while a list was still open: it is refused, and asked for again.
      "New arguments for pay_2, as JSON:",
    ]);
    expect(written).toContain("edit needs the new arguments as a JSON object");
  });

  it("does not read on after a reason with a bracket in it, or JSON that closed on its line", async () => {
    const asked: string[] = [];
    const lines = ["no: see [1", 'edit {"to": "ann"} [', "yes"];
    const ask: Ask = (question) => {
      asked.push(question);
      return Promise.resolve(lines.shift() ?? "");
    };
    const response = await reviewer(ask).review(request(2));
    expect(response.decisions).toEqual([{ type: "reject", message: "see [1" }, { type: "approve" }]);
    expect(asked.map((question) => question.split("?")[0])).toEqual(["Run pay_1", "Run pay_2", "Run pay_2"]);
  });

  /** A reviewer at a terminal where each question gets the next burst of keys at once, as a paste. */
  function pastingReviewer(bursts: string[]): TerminalReviewer {
    const input = terminalInput();
    const lines = new TerminalLineReader(input, (text) => (written += text), pastedAt(input, bursts));
    return new TerminalReviewer({
      name: "jane",
      ask: (question, signal) => lines.next(question, signal),
      unused: () => lines.takeUnused(),
      write: (text) => (written += text),
      timeoutSeconds: 300,
    });
  }

  it("answers a card's questions with the lines pasted after its answer, and keeps none for another review", async () => {
    const terminal = pastingReviewer(["no\rtoo dear\rorder fries\r", 'edit\r{"to": "bo",\r"amount": 1}\r']);
    expect((await terminal.review(request())).decisions).toEqual([{ type: "reject", message: "too dear" }]);
    expect(written).toContain("✔ Reason, for the agent (optional): too dear");
    expect(written).toContain('(typed after the last answer, not used: "order fries")');
    written = "";
    expect((await terminal.review(request())).decisions).toEqual([
      { type: "edit", editedAction: { name: "pay_1", args: { to: "bo", amount: 1 } } },
    ]);
    expect(written).not.toContain("typed before this card was shown");
    expect(written).toContain('✔ New arguments for pay_1, as JSON: {"to": "bo",\n✔ … "amount": 1}');
  });

  it("after an answer it refuses, sets aside the rest of a paste: never takes it for the question asked again", async () => {
    // An edit the schema refuses, pasted with "yes" meant for the next card.
    const terminal = pastingReviewer(['edit {"to": "ann", "amount": "three"}\ryes\r', "no\r", "yes\r"]);
    const response = await terminal.review(request(2));
    // Card 1 is asked again and answered by what was typed after the error: no (the reason: empty line).
    expect(response.decisions[0]).toMatchObject({ type: "reject" });
    expect(written).toContain("those arguments do not fit pay_1");
    expect(written).toContain('(typed before this was shown, so not taken as an answer: "yes")');
  });

  it("Ctrl-C or end of input rejects every call left, never approves", async () => {
    const response = await reviewer(typed(["yes", new Error("ExitPromptError")])).review(request(3));
    expect(response.decisions).toEqual([
      { type: "approve" },
      { type: "reject", message: "the review was cancelled at the terminal" },
      { type: "reject", message: "the review was cancelled at the terminal" },
    ]);
  });

  it("closes the card when the review is answered elsewhere, saying so rather than that it was cancelled", async () => {
    const taken = new AbortController();
    const review = reviewer(neverAnswered).review(request(2), taken.signal);
    taken.abort(new ReviewTakenElsewhere("rita"));
    expect((await review).decisions.map((decision) => decision.type)).toEqual(["reject", "reject"]);
    expect(written).toContain(
      "(answered elsewhere by rita: this card is closed, and that answer runs there)",
    );
    expect(written).not.toContain("cancelled at the terminal");
  });

  it("never takes what was typed before a card was shown as its answer, and says it was set aside", async () => {
    const early = ["yes\r", "", "always\x1b[A\rno\r"];
    const asked: string[] = [];
    const ask: Ask = (question) => {
      asked.push(question);
      return Promise.resolve(["no", "", "yes", "yes"][asked.length - 1] ?? "");
    };
    const response = await reviewer(ask, 300, () => Promise.resolve(early.shift() ?? "")).review(request(3));
    expect(response.decisions).toEqual([{ type: "reject" }, { type: "approve" }, { type: "approve" }]);
    const notices = written.match(/\(typed before this card was shown, so not taken as an answer: .*\)/g);
    expect(notices).toEqual([
      '(typed before this card was shown, so not taken as an answer: "yes")',
      '(typed before this card was shown, so not taken as an answer: "always ⏎ no")',
    ]);
    expect(written.indexOf("review 1 of 3")).toBeLessThan(written.indexOf('answer: "yes"'));
  });

  it("Ctrl-C pressed before a card was shown cancels the review: nothing is approved", async () => {
    const ask = vi.fn<Ask>(() => Promise.resolve("yes"));
    const early = ["", "\u0003"];
    const response = await reviewer(ask, 300, () => Promise.resolve(early.shift() ?? "")).review(request(2));
    expect(response.decisions).toEqual([
      { type: "approve" },
      { type: "reject", message: "the review was cancelled at the terminal" },
    ]);
    expect(ask).toHaveBeenCalledTimes(1);
    expect(written).not.toContain("review 2 of 2");
  });

  describe("when nobody answers", () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it("counts one second in the singular, and gives no warning worth under a second", async () => {
      const pending = reviewer(neverAnswered, 1).review(request());
      await vi.advanceTimersByTimeAsync(1_000);
      expect((await pending).decisions).toEqual([
        { type: "reject", message: "no answer within 1 second (timed out)", timedOut: true },
      ]);
      // A fifth of a second would round to nothing: no warning.
      expect(written).not.toMatch(/left to answer/);
      const later = reviewer(neverAnswered, 5).review(request());
      await vi.advanceTimersByTimeAsync(4_000);
      expect(written).toContain("(1 second left to answer; no answer rejects)");
      await vi.advanceTimersByTimeAsync(1_000);
      await later;
    });

    it("times out the same while a caller's signal could close the card, and that signal is no timeout", async () => {
      const watching = new AbortController();
      const pending = reviewer(neverAnswered, 1).review(request(), watching.signal);
      await vi.advanceTimersByTimeAsync(1_000);
      expect((await pending).decisions).toEqual([
        { type: "reject", message: "no answer within 1 second (timed out)", timedOut: true },
      ]);
      const closed = new AbortController();
      const cancelled = reviewer(neverAnswered, 1).review(request(), closed.signal);
      closed.abort(new Error("Ctrl-C"));
      expect((await cancelled).decisions).toEqual([
        { type: "reject", message: "the review was cancelled at the terminal" },
      ]);
    });

    it("warns before the deadline and rejects as timed out", async () => {
      const pending = reviewer(neverAnswered, 60).review(request());
      await vi.advanceTimersByTimeAsync(47_000);
      expect(written).not.toMatch(/seconds left/);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(written).toMatch(/12 seconds left to answer; no answer rejects/);
      await vi.advanceTimersByTimeAsync(12_000);
      const response = await pending;
      expect(response.decisions).toEqual([
        { type: "reject", message: "no answer within 60 seconds (timed out)", timedOut: true },
      ]);
    });
  });
});

describe("scripted and absent reviewers", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "askfirst-answers-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("answer one line per reviewed call across the session; running out rejects and says so", async () => {
    const path = join(dir, "answers.txt");
    await writeFile(path, "# first\nyes\n\nno: not today\n");
    const notices: string[] = [];
    const reviewer = await ScriptedReviewer.fromFile(path, "ci", (line) => notices.push(line));
    const first = await reviewer.review(request(2));
    expect(first.decisions).toEqual([{ type: "approve" }, { type: "reject", message: "not today" }]);
    expect(first.reviewer).toBe("ci");
    const after = await reviewer.review(request(1));
    expect(after.decisions[0]).toMatchObject({
      type: "reject",
      message: expect.stringMatching(/no answer left/) as unknown,
    });
    // Nobody decided: the audit must not name the file's reviewer as if they had rejected it.
    expect(after.reviewer).toBe("nobody (answers ran out)");
    expect(notices).toEqual([expect.stringMatching(/^pay_1: no answer left in .*answers\.txt/) as unknown]);
  });

  it("a bad line in an answers file is a usage error naming the line", async () => {
    const path = join(dir, "answers.txt");
    await writeFile(path, "yes\n\n# then\nsure\n");
    await expect(ScriptedReviewer.fromFile(path, "ci", () => undefined)).rejects.toThrow(
      /answers file .*answers\.txt, line 4: not an answer: "sure"/,
    );
  });

  it("a bare edit in an answers file is a usage error: the file must give the new arguments", async () => {
    const path = join(dir, "answers.txt");
    await writeFile(path, "yes\n  edit  \n");
    await expect(ScriptedReviewer.fromFile(path, "ci", () => undefined)).rejects.toThrow(
      /answers file .*answers\.txt, line 2: edit needs the new arguments on the same line, as a JSON object/,
    );
  });

  it("a scripted edit that does not fit the tool answers nothing: it names the line and what is wrong", async () => {
    const path = join(dir, "answers.txt");
    await writeFile(path, 'yes\n# the second call\nedit {"to": "ann", "amount": "two"}\nyes\nno\n');
    const reviewer = await ScriptedReviewer.fromFile(path, "ci", () => undefined);
    await expect(reviewer.review(request(2))).rejects.toThrow(
      /answers file .*answers\.txt, line 3: the edit does not fit pay_2's arguments \(amount: .*number.*\); nothing was answered, the review is still pending/,
    );
    // The failed review took no answers: the next review gets the first line again.
    expect((await reviewer.review(request(1))).decisions).toEqual([{ type: "approve" }]);
  });

  it("with nobody to ask, every call is rejected with the reason", async () => {
    const notices: string[] = [];
    const response = await new NobodyReviewer("ci", (line) => notices.push(line)).review(request(2));
    const reason = "no terminal and no --answers file, so nobody could review this call; it was rejected";
    expect(response.decisions).toEqual([
      { type: "reject", message: reason },
      { type: "reject", message: reason },
    ]);
    expect(notices).toEqual([`pay_1: ${reason}`, `pay_2: ${reason}`]);
  });
});
