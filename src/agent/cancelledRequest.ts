import { AIMessage, isHumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { Transcript } from "../store/types.js";
import { toStored } from "./messages.js";

/**
 * A person's message whose turn was cancelled at the terminal before the model answered it stays in the
 * thread: the transcript has it, and so does the model's window when LangGraph had taken it in. Shown it
 * with the next message and nothing between, a model takes both as requests and may carry out the one the
 * person stopped. So the cancel is written down as a note after that message, kept in the transcript at
 * once (whichever process sends next finds it), and put in the window with the thread's next message.
 */

const noteName = "askfirst";
const notePrefix = "cancelled_";

const noteText =
  "(Cancelled: the person stopped this request at the terminal before I answered it, so nothing was done " +
  "for it. I act on it only if they ask again.)";

export function cancelledNote(humanId: string): AIMessage {
  return new AIMessage({ id: `${notePrefix}${humanId}`, name: noteName, content: noteText });
}

/** True for the note cancelledNote writes (chat -t shows it as a cancel, not as the agent's words). */
export function isCancelledNote(message: BaseMessage): boolean {
  return message.name === noteName && (message.id ?? "").startsWith(notePrefix);
}

/**
 * After a turn was cancelled: when the model had not answered `humanId` (the window ends with it, or never
 * took it in), the transcript gets the note.
 */
export async function noteCancelledRequest(
  transcript: Transcript,
  threadId: string,
  window: BaseMessage[],
  humanId: string,
): Promise<void> {
  const last = window.at(-1);
  const unanswered = last?.id === humanId || !window.some((message) => message.id === humanId);
  if (unanswered) await transcript.append(threadId, [toStored(cancelledNote(humanId))]);
}

/**
 * Before new input: when the window ends with a person's message left unanswered by a cancelled turn (the
 * transcript holds its note), the note to send first, so the model reads that it was withdrawn. A message
 * left unanswered by a failed turn has no note: the person may well ask to try again.
 */
export async function closeCancelledRequest(
  transcript: Transcript,
  threadId: string,
  window: BaseMessage[],
): Promise<AIMessage[]> {
  const last = window.at(-1);
  if (!last || !isHumanMessage(last) || last.id === undefined) return [];
  const note = cancelledNote(last.id);
  return (await transcript.has(threadId, note.id ?? "")) ? [note] : [];
}
