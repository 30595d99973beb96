/** Argument keys whose values are secrets: never shown, logged or audited as they are. */
const secretKeyPattern = /token|secret|password|api[_-]?key|authorization/i;

const maskedValue = "***";

/** A deep copy of `value` with every secret-named key's value replaced by "***". */
export function maskSecrets<T>(value: T): T {
  return maskValue(value) as T;
}

function maskValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskValue);
  if (typeof value !== "object" || value === null) return value;
  const masked: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    masked[key] = secretKeyPattern.test(key) ? maskedValue : maskValue(inner);
  }
  return masked;
}
