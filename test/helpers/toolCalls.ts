import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

/** One tool call as a test sees it: whether it failed, its text, and its structured result. */
export interface ToolCall {
  isError: boolean;
  text: string;
  data: Record<string, unknown>;
}

export interface ToolCaller {
  call(name: string, args?: Record<string, unknown>): Promise<ToolCall>;
  /** Like call, but fails the test with the tool's message when the call is an error. */
  ok(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** `call` and `ok` over an SDK client; `label` starts the message of a failed `ok`. */
export function toolCaller(client: Client, label: string): ToolCaller {
  const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolCall> => {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as { text?: string }[]).map((part) => part.text ?? "").join("\n");
    const data = (result.structuredContent ?? {}) as Record<string, unknown>;
    return { isError: result.isError === true, text, data };
  };
  return {
    call,
    async ok(name, args) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${label}${name} failed: ${result.text}`);
      return result.data;
    },
  };
}
