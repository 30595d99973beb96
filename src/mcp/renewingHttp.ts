import {
  StreamableHTTPError,
  type StreamableHTTPClientTransport,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

/**
 * Streamable HTTP that outlives its session. When the server no longer knows the session a request carried
 * (HTTP 404: it restarted, or expired the session), the MCP spec has the client start a new one: this
 * transport initializes again as the client first did, then resends the refused request. The server refused
 * it unread, so nothing runs twice. Without it, a chat would fail every tool call after a server restart
 * until it was restarted itself.
 */
export class RenewingHttpTransport implements Transport {
  onmessage?: Transport["onmessage"];
  onerror?: Transport["onerror"];
  onclose?: Transport["onclose"];

  private current: StreamableHTTPClientTransport;
  /** The client's own handshake, replayed to open a new session. */
  private initialize: JSONRPCRequest | undefined;
  private protocolVersion: string | undefined;
  private renewing: Promise<void> | undefined;
  /** Set while the session is being renewed, and after a renewal that failed. */
  private broken = false;
  /** The replayed initialize requests whose answers are ours, not the client's. */
  private readonly replayed = new Map<RequestId, (message: JSONRPCMessage) => void>();
  private renewals = 0;

  constructor(private readonly open: () => StreamableHTTPClientTransport) {
    this.current = this.wire(open());
  }

  get sessionId(): string | undefined {
    return this.current.sessionId;
  }

  start(): Promise<void> {
    return this.current.start();
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
    this.current.setProtocolVersion(version);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isJSONRPCRequest(message) && message.method === "initialize") this.initialize = message;
    // A renewal that failed (the server was still down) is tried again first: this session is gone.
    else if (this.broken) await this.renewOnce(this.current);
    const used = this.current;
    try {
      await used.send(message, options);
    } catch (error) {
      if (!isUnknownSession(error) || used.sessionId === undefined || this.initialize === undefined)
        throw error;
      await this.renewOnce(used);
      await this.current.send(message, options);
    }
  }

  /** Renews the session `used` had, once however many requests it refused together. */
  private renewOnce(used: StreamableHTTPClientTransport): Promise<void> {
    if (this.current === used) this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
    return this.renewing ?? Promise.resolve();
  }

  async terminateSession(): Promise<void> {
    await this.current.terminateSession();
  }

  async close(): Promise<void> {
    await this.current.close();
  }

  private async renew(): Promise<void> {
    this.broken = true;
    const stale = this.current;
    this.current = this.wire(this.open());
    await stale.close().catch(() => undefined);
    await this.current.start();
    if (this.initialize === undefined) return;
    this.renewals += 1;
    const id = `${String(this.initialize.id)}-renewed-${this.renewals}`;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<JSONRPCMessage>((resolve, reject) => {
      this.replayed.set(id, resolve);
      timer = setTimeout(
        () => reject(new Error("the MCP server did not answer a new session")),
        renewTimeoutMs,
      );
    });
    let answer: JSONRPCMessage;
    try {
      await this.current.send({ ...this.initialize, id });
      answer = await answered;
    } finally {
      clearTimeout(timer);
      this.replayed.delete(id);
    }
    if (!isJSONRPCResultResponse(answer))
      throw new Error(`the MCP server refused a new session: ${JSON.stringify(answer).slice(0, 200)}`);
    if (this.protocolVersion !== undefined) this.current.setProtocolVersion(this.protocolVersion);
    await this.current.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    this.broken = false;
  }

  private wire(transport: StreamableHTTPClientTransport): StreamableHTTPClientTransport {
    transport.onmessage = (message: JSONRPCMessage) => {
      const isAnswer = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
      const ours = isAnswer && message.id !== undefined ? this.replayed.get(message.id) : undefined;
      if (ours) ours(message);
      else this.onmessage?.(message);
    };
    transport.onerror = (error) => this.onerror?.(error);
    // A replaced transport's closing is not the connection's.
    transport.onclose = () => {
      if (transport === this.current) this.onclose?.();
    };
    return transport;
  }
}

/** How long a new session's initialize may take before the renewal fails (the next call tries again). */
const renewTimeoutMs = 30_000;

function isUnknownSession(error: unknown): boolean {
  return error instanceof StreamableHTTPError && error.code === 404;
}
