/** Exit codes of the CLI: the contract in DESIGN.md. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  pendingReview: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Whose fault an error is: the person's input or configuration, the model's behaviour, or the system. */
export type ErrorSource = "user" | "model" | "system";

/**
 * The one error class for local errors. `code` is a stable string a caller may switch on; the message is a
 * single line meant for the person at the terminal and never contains a secret. Unless told otherwise, an
 * error that is the person's (`source: "user"`: a bad answer, a thread with no review waiting, a review
 * someone else answered) exits 2 like any other usage error; the rest exit 1.
 */
export class AskfirstError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly source: ErrorSource;

  constructor(
    message: string,
    options: { code: string; exitCode?: ExitCode; source?: ErrorSource; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AskfirstError";
    this.code = options.code;
    this.source = options.source ?? "system";
    this.exitCode = options.exitCode ?? (this.source === "user" ? ExitCode.usage : ExitCode.unexpected);
  }
}

/** A bad flag, argument or configuration value: exit 2. */
export class UsageError extends AskfirstError {
  constructor(message: string, code = "usage", cause?: unknown) {
    super(message, { code, exitCode: ExitCode.usage, source: "user", cause });
    this.name = "UsageError";
  }
}

/** The model did something the contract does not allow (e.g. a scripted model ran out of turns). */
export class ModelBehaviourError extends AskfirstError {
  constructor(message: string, code = "model_behaviour", cause?: unknown) {
    super(message, { code, source: "model", cause });
    this.name = "ModelBehaviourError";
  }
}

export function isAskfirstError(error: unknown): error is AskfirstError {
  return error instanceof AskfirstError;
}

/** Secrets shorter than this are not replaced: they would match ordinary text. */
const shortestSecret = 4;

/** True for a secret long enough to look for in text (see `redactSecrets`). */
export function isRedactable(secret: string): boolean {
  return secret.length >= shortestSecret;
}

/** `text` with every occurrence of each secret replaced by "[redacted]" (too short ones are left). */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let cleaned = text;
  for (const secret of secrets) if (isRedactable(secret)) cleaned = cleaned.split(secret).join("[redacted]");
  return cleaned;
}

/** One line describing any thrown value, for messages shown to a person. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.name;
  return String(error);
}

/** A turn stopped by the person (Ctrl-C at the chat), not by a failure: the chat says so and goes on. */
export class TurnCancelled extends AskfirstError {
  /** @param toolUnderWay the run stopped while run_tool ran: a call may have taken effect. */
  constructor(
    readonly toolUnderWay: boolean,
    cause?: unknown,
  ) {
    super(`the turn was cancelled${toolUnderWay ? " while a tool call ran" : ""}`, {
      code: "cancelled",
      source: "user",
      exitCode: ExitCode.interrupted,
      cause,
    });
    this.name = "TurnCancelled";
  }
}
