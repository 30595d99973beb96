import { readFileSync } from "node:fs";
import { type Env, readEnv } from "../../config/load.js";
import { UsageError, describeError } from "../../errors.js";
import { keyHelp, keyPattern } from "../seed.js";

/** Bearer token → user. Tokens are secrets: no message built here ever contains one. */
export type TokenMap = ReadonlyMap<string, string>;

const shortestToken = 8;
const tokenRule = `tokens of at least ${shortestToken} characters with no spaces`;

/** The tokens from `--tokens <file>` when given, else from ASKFIRST_HTTP_TOKENS ("token=user,token=user"). */
export function readTokens(tokensFile: string | undefined, env: Env): TokenMap {
  return tokensFile ? readTokenFile(tokensFile) : readTokenEnv(readEnv(env, "ASKFIRST_HTTP_TOKENS"));
}

/** The tokens a server over HTTP accepts (`readTokens`); at least one is needed. */
export function loadTokens(tokensFile: string | undefined, env: Env): TokenMap {
  const source = readTokens(tokensFile, env);
  if (source.size === 0 && tokensFile)
    throw new UsageError(
      `tokens file ${tokensFile} holds no tokens: serving over HTTP needs at least one; expected {"<token>": "<user>"}, ${tokenRule}`,
      "no_tokens",
    );
  if (source.size === 0)
    throw new UsageError(
      'serving over HTTP needs bearer tokens: pass --tokens <file> (JSON {"<token>": "<user>"}) or set ASKFIRST_HTTP_TOKENS=token=user,...',
      "no_tokens",
    );
  return source;
}

function readTokenFile(path: string): TokenMap {
  const expected = `expected {"<token>": "<user>"}, ${tokenRule}`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const why =
      error instanceof SyntaxError
        ? "is not valid JSON"
        : `cannot be read (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`;
    throw new UsageError(`tokens file ${path} ${why}; ${expected}`, "bad_tokens", error);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new UsageError(`tokens file ${path} is invalid: not a JSON object; ${expected}`, "bad_tokens");
  const tokens = new Map<string, string>();
  // Entries are named by their place in the file: the token is the secret, and the user may be one too
  // (a file with token and user swapped).
  for (const [index, [token, user]] of Object.entries(json).entries()) {
    const problem = findEntryProblem(token, user);
    if (problem !== null)
      throw new UsageError(
        `tokens file ${path}, entry ${index + 1} is invalid: ${problem}; ${expected}`,
        "bad_tokens",
      );
    tokens.set(token, user as string);
  }
  return tokens;
}

function readTokenEnv(value: string | undefined): TokenMap {
  const tokens = new Map<string, string>();
  if (!value) return tokens;
  for (const [index, pair] of value.split(",").entries()) {
    const at = pair.indexOf("=");
    const token = pair.slice(0, at).trim();
    const user = pair.slice(at + 1).trim();
    const problem = at <= 0 ? "it is not token=user" : findEntryProblem(token, user);
    if (problem !== null)
      throw new UsageError(
        `ASKFIRST_HTTP_TOKENS entry ${index + 1} is invalid: ${problem}; expected token=user, ${tokenRule}`,
        "bad_tokens",
      );
    tokens.set(token, user);
  }
  return tokens;
}

/** What is wrong with one token → user entry, or null. Never quotes the token or the user. */
function findEntryProblem(token: string, user: unknown): string | null {
  if (token.length < shortestToken) return `its token is shorter than ${shortestToken} characters`;
  if (/\s/.test(token)) return "its token contains whitespace";
  if (typeof user !== "string" || !keyPattern.test(user)) return `its user is not a user key (${keyHelp})`;
  return null;
}

/** The same tokens as a client holds them: each user's token (the first one listed, when a user has several). */
export function tokensByUser(tokens: TokenMap): ReadonlyMap<string, string> {
  const byUser = new Map<string, string>();
  for (const [token, user] of tokens) if (!byUser.has(user)) byUser.set(user, token);
  return byUser;
}
