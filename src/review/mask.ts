/**
 * The one set of secret patterns: what is shown to a person, recorded in the audit trail or the transcript,
 * or handed to the model as a tool's answer goes through here. Only copies are masked: the arguments a tool
 * runs with, and their audit digest, are always the exact ones.
 *
 * Argument keys whose values are secrets: a key is read with its separators dropped (`api_key`, `apiKey`,
 * `api-key` are all `apikey`) for the names that are secret wherever they appear, and word by word for the
 * short ones (`auth`, `pwd`, `pass`) that would otherwise hit ordinary names such as `author` or `passenger`.
 */
const secretInName =
  /token|secret|passw(or)?d|passphrase|passcode|apikey|authorization|credential|privatekey|accesskey|cookie|bearer|sessionid/;
const secretWords: ReadonlySet<string> = new Set(["auth", "pwd", "pass", "pin", "otp", "jwt"]);

const maskedValue = "***";

export function isSecretKey(key: string): boolean {
  if (secretInName.test(key.toLowerCase().replace(/[^a-z0-9]/g, ""))) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => secretWords.has(word));
}

/**
 * A deep copy of `value` with every secret-named key's value replaced by "***", and every secret written
 * inside a string (see `maskText`) masked the same way.
 */
export function maskSecrets<T>(value: T): T {
  return maskValue(value) as T;
}

function maskValue(value: unknown): unknown {
  if (typeof value === "string") return maskText(value);
  if (Array.isArray(value)) return value.map(maskValue);
  if (typeof value !== "object" || value === null) return value;
  const masked: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    masked[key] = isSecretKey(key) ? maskedValue : maskValue(inner);
  }
  return masked;
}

// Every pattern below runs on every call shown or recorded, on text of any length and origin (a tool's
// answer). Each is written to stay linear: runs of characters are either bounded or cannot be followed by
// something that makes the engine try every split of them again from the next position.

/** A PEM private key, to its END line (or, if cut off, to the end of the text). */
const privateKeyBlock =
  /(-----BEGIN ([A-Z0-9 ]{0,40})PRIVATE KEY-----)[\s\S]*?(-----END \2PRIVATE KEY-----|$)/g;

/** `scheme://user:password@host`: the password part of a URL. */
const urlPassword = /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]*):[^\s@/]*@/gi;

/**
 * Credentials whose shape gives them away, whatever they are called: each alternative captures the part
 * that is kept (a prefix that says what kind of secret was there, never part of it).
 */
const tokenShapes = new RegExp(
  [
    /\b(AIza)[\w-]{16,}/, // Google API key
    /\b(sk-|sk_live_|sk_test_|rk_live_|rk_test_)[\w-]{16,}/, // OpenAI, Anthropic, Stripe
    /\b(gh[pousr]_)[A-Za-z0-9]{8,}/, // GitHub tokens
    /\b(github_pat_)\w{8,}/,
    /\b(xox[abposr]-)[A-Za-z0-9-]{8,}/, // Slack
    /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
    /\b(permit_key_)[A-Za-z0-9]{8,}/, // Permit.io
    // A JWT: base64url `{"` then two more dot-separated parts. It starts a run of base64url (never inside
    // one), and its header is bounded: a text of many `eyJ`s and no dot is not scanned from each of them.
    /(?<![\w-])(eyJ)[\w-]{8,512}\.[\w-]{2,}\.[\w-]*/,
    /\b((?:[Bb]earer|BEARER)\s+)[\w.~+/-]{8,}=*/,
  ]
    .map((pattern) => pattern.source)
    .join("|"),
  "g",
);

/**
 * Every name isSecretKey accepts holds one of these, as written in text (separators between words): text
 * without any, most tool results, skips the scan for names (which costs ~15 times more on a JSON result),
 * and a name without any is not looked at further.
 */
const secretNameStem =
  /token|secret|pass|pwd|auth|credential|cookie|bearer|pin|otp|jwt|(?:api|private|access)[_.-]*key|session[_.-]*id/i;

/** `name=`, `--name=`, `name: `, `"name":`, `name="…"`: a name that may be followed by its value (checked apart). */
const assignedName = /(?<![\w.-])(?:--?)?["']?([A-Za-z][\w.-]{0,63})\\?["']?[ \t]*[:=][ \t]*/g;

/**
 * The value after a secret name: a quoted string whole, else one word (after an auth scheme, if any). A
 * value that holds `,` `;` `&` or a bracket unquoted is masked up to it: those end a value in the formats
 * secrets are written in (JSON, query strings, cookies, headers). Sticky: read where the name ended.
 */
const quotedValue = /"(?:[^"\\]|\\.)*"|'[^'\n]*'/y;
const bareValue = /((?:Bearer|Basic|Digest|Token)[ \t]+)?(\\?["']?)[^\s"'\\,;&<>(){}[\]]+/y;

/**
 * `text` with every secret written in it masked: private keys, URL passwords, well-known key and token
 * shapes (Google, OpenAI, Stripe, GitHub, Slack, AWS, Permit, JWTs, bearer tokens), and the value given to
 * any secret-named key (`GOOGLE_API_KEY=…`, `"password":"…"`, `Authorization: Basic …`). Ordinary text,
 * ids, UUIDs and dates are left alone. Idempotent.
 */
export function maskText(text: string): string {
  let masked = text.replace(privateKeyBlock, `$1${maskedValue}$3`);
  if (masked.includes("://")) masked = masked.replace(urlPassword, `$1:${maskedValue}@`);
  if (secretNameStem.test(masked)) masked = maskAssignments(masked);
  return masked.replace(tokenShapes, (_match, ...groups: unknown[]) => {
    const kept = groups.find((group) => typeof group === "string") as string;
    return `${kept}${maskedValue}`;
  });
}

function maskAssignments(text: string): string {
  let masked = "";
  let copiedTo = 0;
  for (const found of text.matchAll(assignedName)) {
    // A name inside a value already masked is part of that value.
    const name = found[1] ?? "";
    if (found.index < copiedTo || !secretNameStem.test(name) || !isSecretKey(name)) continue;
    const valueAt = found.index + found[0].length;
    const value = valueAfter(text, valueAt);
    if (!value) continue;
    masked += text.slice(copiedTo, valueAt) + value.shown;
    copiedTo = valueAt + value.length;
  }
  return copiedTo === 0 ? text : masked + text.slice(copiedTo);
}

function valueAfter(text: string, at: number): { shown: string; length: number } | null {
  quotedValue.lastIndex = at;
  const quoted = quotedValue.exec(text);
  if (quoted) {
    const quote = quoted[0].charAt(0);
    return { shown: `${quote}${maskedValue}${quote}`, length: quoted[0].length };
  }
  bareValue.lastIndex = at;
  const bare = bareValue.exec(text);
  // "Authorization: Bearer <token>" in a hint names the scheme and a placeholder: no secret to mask.
  if (!bare || /^(?:Bearer|Basic|Digest|Token)$/i.test(bare[0])) return null;
  return { shown: `${bare[1] ?? ""}${bare[2] ?? ""}${maskedValue}`, length: bare[0].length };
}
