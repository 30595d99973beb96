import { request } from "node:http";

/** The headers an MCP client POSTs with over Streamable HTTP (no Authorization: tests add their own). */
export const mcpPostHeaders = {
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
};

/** An initialize request, to open a session without the SDK client. */
export const initializeBody = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});

export interface RawAnswer {
  status: number;
  body: string;
  sessionId?: string;
}

/** A request through node:http, which (unlike fetch) sends the Host header it is given. */
export function sendRaw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer[],
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => {
        const sessionId = res.headers["mcp-session-id"];
        resolve({
          status: res.statusCode ?? 0,
          body: text,
          sessionId: typeof sessionId === "string" ? sessionId : undefined,
        });
      });
    });
    req.on("error", reject);
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}
