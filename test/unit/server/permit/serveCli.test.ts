import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../../helpers/cli.js";
import { spawnServe, type StdioServer } from "../../../helpers/serveClient.js";
import { FakePermit, fakeIds } from "./fakePermit/server.js";

let fake: FakePermit;
let servers: StdioServer[] = [];

beforeEach(async () => {
  fake = await FakePermit.start();
});

afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  await fake.stop();
});

/** The built CLI's `serve --backend permit` as `user`, over stdio, through the official MCP client. */
async function serveAs(user: string): Promise<StdioServer> {
  const server = await spawnServe(user, ["--backend", "permit", "--demo", "family-food"], fake.env());
  servers.push(server);
  return server;
}

describe("askfirst serve --backend permit", () => {
  it("serves the demo tools from Permit, over a clean stdio protocol", async () => {
    const [henry, joe] = await Promise.all([serveAs("henry"), serveAs("joe")]);
    expect((await henry.call("list_dishes", { resource_instance: "pizza-palace" })).isError).toBe(true);
    const asked = await henry.call("create_access_request", {
      resource_instance: "pizza-palace",
      role: "child-can-order",
      reason: "Friday pizza",
    });
    expect(asked.isError).toBe(false);
    const approved = await joe.call("approve_access_request", { access_request_id: asked.data.id });
    expect(approved.data.status).toBe("approved");
    const dishes = await henry.call("list_dishes", { resource_instance: "pizza-palace" });
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
