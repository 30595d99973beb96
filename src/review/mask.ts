/**
 * Argument keys whose values are secrets: never shown, logged or audited as they are. A key is read with
 * its separators dropped (`api_key`, `apiKey`, `api-key` are all `apikey`) for the names that are secret
 * wherever they appear, and word by word for the short ones (`auth`, `pwd`, `pass`) that would otherwise
 * hit ordinary names such as `author` or `passenger`.
 */
const secretInName =
  /token|secret|passw(or)?d|passphrase|passcode|apikey|authorization|credential|privatekey|accesskey|cookie|bearer|sessionid/;
const secretWords: ReadonlySet<string> = new Set(["auth", "pwd", "pass", "pin", "otp", "jwt"]);

/** `scheme://user:password@host`: the password part of a URL written into a string value. */
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;

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
 * A deep copy of `value` with every secret-named key's value replaced by "***", and the password of any
 * URL written in a string (`postgres://user:pw@host`) replaced the same way.
 */
export function maskSecrets<T>(value: T): T {
  return maskValue(value) as T;
}

function maskValue(value: unknown): unknown {
  if (typeof value === "string") return value.replace(urlPassword, `$1:${maskedValue}@`);
  if (Array.isArray(value)) return value.map(maskValue);
  if (typeof value !== "object" || value === null) return value;
  const masked: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    masked[key] = isSecretKey(key) ? maskedValue : maskValue(inner);
  }
  return masked;
}
