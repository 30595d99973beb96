import { readFileSync } from "node:fs";
import { z } from "zod";
import { type Env, readEnv } from "../../config/load.js";
import { UsageError } from "../../errors.js";
import { keyPattern } from "../seed.js";

/** Bearer token → user. Tokens are secrets: no message built here ever contains one. */
export type TokenMap = ReadonlyMap<string, string>;

const tokenPattern = /^\S{8,}$/;
const userKey = z.string().regex(keyPattern, "expected a user key of letters, digits, _ . @ -");
const tokenFileSchema = z.record(
  z.string().regex(tokenPattern, "tokens must be at least 8 characters with no spaces"),
  userKey,
);

/** The tokens from `--tokens <file>` when given, else from ASKFIRST_HTTP_TOKENS ("token=user,token=user"). */
export function loadTokens(tokensFile: string | undefined, env: Env): TokenMap {
  const source = tokensFile ? readTokenFile(tokensFile) : readTokenEnv(readEnv(env, "ASKFIRST_HTTP_TOKENS"));
  if (source.size === 0)
    throw new UsageError(
      'serving over HTTP needs bearer tokens: pass --tokens <file> (JSON {"<token>": "<user>"}) or set ASKFIRST_HTTP_TOKENS=token=user,...',
      "no_tokens",
    );
  return source;
}

function readTokenFile(path: string): TokenMap {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const why = error instanceof SyntaxError ? "is not valid JSON" : "cannot be read";
    throw new UsageError(
      `tokens file ${path} ${why}; expected JSON {"<token>": "<user>"}`,
      "bad_tokens",
      error,
    );
  }
  // zod would echo an offending key (a token) in its path, so problems are reported without paths.
  const parsed = tokenFileSchema.safeParse(json);
  if (!parsed.success)
    throw new UsageError(
      `tokens file ${path} is invalid: ${parsed.error.issues[0]?.message ?? "bad value"}; expected {"<token>": "<user>"}`,
      "bad_tokens",
    );
  return new Map(Object.entries(parsed.data));
}

function readTokenEnv(value: string | undefined): TokenMap {
  const tokens = new Map<string, string>();
  if (!value) return tokens;
  for (const [index, pair] of value.split(",").entries()) {
    const at = pair.indexOf("=");
    const token = pair.slice(0, at).trim();
    const user = pair.slice(at + 1).trim();
    if (at <= 0 || !tokenPattern.test(token) || !userKey.safeParse(user).success)
      throw new UsageError(
        `ASKFIRST_HTTP_TOKENS entry ${index + 1} is invalid; expected token=user, tokens of at least 8 characters`,
        "bad_tokens",
      );
    tokens.set(token, user);
  }
  return tokens;
}
