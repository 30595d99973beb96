import type { Decision } from "./decisions.js";

/**
 * The review answer format (README, "Answering reviews"), shared by the terminal prompt and `--answers` files:
 * `yes`/`y`/`approve`; `no`/`n`/`reject`, optionally `no: <reason>`; `edit <json args>`; `always`.
 */
export type ParsedAnswer =
  | { ok: true; decision: Decision; wantsReason?: boolean; wantsEditArgs?: boolean }
  | { ok: false; error: string };

/** The reason given to the model for the calls of a card cancelled at the terminal (Ctrl-C, end of input). */
export const cancelledAtTerminal = "the review was cancelled at the terminal";

export const answerHelp =
  "answer yes, no (or `no: <reason>`), edit <json arguments>, or always (approve and allow this tool under this rule for the rest of the thread)";

export function parseAnswer(line: string, actionName: string): ParsedAnswer {
  const text = line.trim();
  const lower = text.toLowerCase();
  if (["yes", "y", "approve"].includes(lower)) return { ok: true, decision: { type: "approve" } };
  if (lower === "always") return { ok: true, decision: { type: "approve", grant: true } };
  if (["no", "n", "reject"].includes(lower))
    return { ok: true, decision: { type: "reject" }, wantsReason: true };
  const rejection = /^(no|n|reject)\s*:\s*(.*)$/is.exec(text);
  if (rejection) {
    const reason = (rejection[2] ?? "").trim();
    return { ok: true, decision: reason ? { type: "reject", message: reason } : { type: "reject" } };
  }
  if (lower === "edit")
    return {
      ok: true,
      decision: { type: "edit", editedAction: { name: actionName, args: {} } },
      wantsEditArgs: true,
    };
  const edit = /^edit\s+(.+)$/is.exec(text);
  if (edit) return parseEdit(edit[1] ?? "", actionName);
  return { ok: false, error: `not an answer: "${truncate(text)}"; ${answerHelp}` };
}

export function parseEdit(json: string, actionName: string): ParsedAnswer {
  let args: unknown;
  try {
    args = JSON.parse(json);
  } catch {
    return { ok: false, error: `edit needs the new arguments as a JSON object, e.g. edit {"key": "value"}` };
  }
  if (typeof args !== "object" || args === null || Array.isArray(args))
    return { ok: false, error: "edit needs the new arguments as a JSON object, not a list or a value" };
  return {
    ok: true,
    decision: { type: "edit", editedAction: { name: actionName, args: args as Record<string, unknown> } },
  };
}

/**
 * True while `text` is a JSON object or list begun and not yet closed (brackets inside strings are not
 * counted): the rest is still to be typed or pasted. False for anything that does not start as one.
 */
export function unfinishedJson(text: string): boolean {
  const json = text.trim();
  if (!json.startsWith("{") && !json.startsWith("[")) return false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const char of json) {
    if (inString) {
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") depth += 1;
    else if (char === "}" || char === "]") {
      depth -= 1;
      if (depth === 0) return false;
    }
  }
  return true;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
