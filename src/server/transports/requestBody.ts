import type { IncomingMessage } from "node:http";

/** 1 MiB: far above any MCP request this server answers, far below what would strain memory. */
export const defaultMaxBodyBytes = 1024 * 1024;

const lingerFactor = 8;

export type BodyResult =
  { kind: "json"; value: unknown } | { kind: "tooLarge"; limit: number } | { kind: "notJson" };

/**
 * Reads and parses a JSON request body of at most `limit` bytes. A declared Content-Length over the limit is
 * refused before reading; otherwise nothing is kept past the limit. The rest of a refused body is read and
 * dropped, so the client, still sending, gets to read the answer, up to `lingerFactor` times the limit,
 * past which the connection is cut.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (Number(req.headers["content-length"]) > limit) return tooLarge(req, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  const isComplete = await new Promise<boolean>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      req.off("data", onData);
      resolve(false);
    };
    req.on("data", onData);
    req.once("end", () => resolve(true));
    req.once("error", reject);
  });
  if (!isComplete) return tooLarge(req, limit);
  try {
    return { kind: "json", value: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown };
  } catch {
    return { kind: "notJson" };
  }
}

function tooLarge(req: IncomingMessage, limit: number): BodyResult {
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limit * lingerFactor) req.destroy();
  });
  return { kind: "tooLarge", limit };
}
