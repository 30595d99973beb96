import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliPath, repoRoot, runCli } from "../../../helpers/cli.js";
import { FakePermit, fakeIds } from "./fakePermit/server.js";

let fake: FakePermit;
let clients: Client[] = [];

beforeEach(async () => {
  fake = await FakePermit.start();
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  clients = [];
  await fake.stop();
});

/** The built CLI's `serve --backend permit` as `user`, over stdio, through the official MCP client. */
async function serveAs(user: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, "serve", "--backend", "permit", "--demo", "family-food"],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ASKFIRST_USER: user, ...fake.env() },
    cwd: repoRoot,
    stderr: "pipe",
  });
  const client = new Client({ name: `permit-${user}`, version: "0.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as { text?: string }[]).map((part) => part.text ?? "").join("\n");
  return {
    isError: result.isError === true,
    text,
    data: (result.structuredContent ?? {}) as Record<string, unknown>,
  };
}

describe("askfirst serve --backend permit", () => {
  it("serves the demo tools from Permit, over a clean stdio protocol", async () => {
    const [henry, joe] = await Promise.all([serveAs("henry"), serveAs("joe")]);
    expect((await call(henry, "list_dishes", { resource_instance: "pizza-palace" })).isError).toBe(true);
    const asked = await call(henry, "create_access_request", {
      resource_instance: "pizza-palace",
      role: "child-can-order",
      reason: "Friday pizza",
    });
    expect(asked.isError).toBe(false);
    const approved = await call(joe, "approve_access_request", { access_request_id: asked.data.id });
    expect(approved.data.status).toBe("approved");
    const dishes = await call(henry, "list_dishes", { resource_instance: "pizza-palace" });
    expect(dishes.text).toContain("Truffle Pizza");
  });

  it("names each missing variable at start, exits 2, and never prints the key", async () => {
    const env = { ASKFIRST_USER: "henry", PERMIT_API_KEY: fakeIds.apiKey };
    const result = await runCli(["serve", "--backend", "permit"], { env });
    expect(result.code).toBe(2);
    for (const name of [
      "PERMIT_PDP_URL",
      "PROJECT_ID",
      "ENV_ID",
      "RESOURCE_KEY",
      "ACCESS_ELEMENTS_CONFIG_ID",
    ])
      expect(result.stderr).toContain(`${name}: missing`);
    expect(result.stderr + result.stdout).not.toContain(fakeIds.apiKey);
  });
});
