import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { spawnServe, type StdioServer } from "../helpers/serveClient.js";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("askfirst serve over stdio", () => {
  let dataDir: string;
  let servers: StdioServer[] = [];
  const serve = async (user: string): Promise<StdioServer> => {
    const server = await spawnServe(user, ["--demo", "family-food", "--data", dataDir]);
    servers.push(server);
    return server;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "askfirst-serve-"));
  });
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps serving through a Ctrl-C meant for its client (stdin is not a terminal) and ends with its stdin", async () => {
    const henry = await serve("henry");
    process.kill(henry.pid, "SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const listed = await henry.ok("list_resource_instances", {});
    expect(listed.items).toHaveLength(4);
    // close() ends the server's stdin, and sends SIGTERM to a server still running 2 s later: gone well
    // before then, the server ended on its own.
    const closing = henry.close();
    await expect.poll(() => isRunning(henry.pid), { timeout: 1_500, interval: 50 }).toBe(false);
    await closing;
  });

  it("plays the family demo story as henry and joe, two processes on one data folder", async () => {
    const [henry, joe] = await Promise.all([serve("henry"), serve("joe")]);
    const menuBefore = await henry.call("list_dishes", { resource_instance: "pizza-palace" });
    expect(menuBefore.isError).toBe(true);

    const asked = await henry.ok("create_access_request", {
      resource_instance: "pizza-palace",
      role: "child-can-order",
      reason: "Friday pizza with Rose",
    });
    const pending = await joe.call("list_access_requests", { status: "pending" });
    expect(pending.text).toContain(
      `${String(asked.id)}: henry asks for role child-can-order on pizza-palace`,
    );
    await joe.ok("approve_access_request", { access_request_id: asked.id, reviewer_comment: "enjoy" });

    const menu = await henry.ok("list_dishes", { resource_instance: "pizza-palace" });
    expect((menu.dishes as { name: string }[]).map((dish) => dish.name)).toContain("Truffle Pizza");

    const refused = await henry.call("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Truffle Pizza",
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('create_operation_approval with resource_instance "pizza-palace"');

    const approval = await henry.ok("create_operation_approval", {
      resource_instance: "pizza-palace",
      operation: "order_dish:Truffle Pizza",
      reason: "my birthday treat",
    });
    const waiting = await joe.ok("list_operation_approvals", { status: "pending" });
    expect((waiting.items as { id: string }[]).map((item) => item.id)).toEqual([approval.id]);
    await joe.ok("approve_operation_approval", { operation_approval_id: approval.id });

    const ordered = await henry.call("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Truffle Pizza",
    });
    expect(ordered.isError).toBe(false);
    expect(ordered.text).toMatch(/^Ordered Truffle Pizza \(18\.50\) from pizza-palace for henry/);
    const second = await henry.call("order_dish", {
      resource_instance: "pizza-palace",
      dish_name: "Truffle Pizza",
    });
    expect(second.isError).toBe(true);
    expect(second.text).toContain("create_operation_approval");
    // stdout is the protocol: nothing else may be written there, and nothing went wrong on stderr.
    expect(henry.stderr()).toBe("");
  });

  it("keeps granted roles and requests across a restart", async () => {
    const henry = await serve("henry");
    const joe = await serve("joe");
    const asked = await henry.ok("create_access_request", {
      resource_instance: "sushi-world",
      role: "child-can-order",
      reason: "sushi",
    });
    await joe.ok("approve_access_request", { access_request_id: asked.id });
    await henry.close();
    servers = servers.filter((server) => server !== henry);
    const again = await serve("henry");
    expect(
      (await again.ok("check_permission", { action: "read", resource_instance: "sushi-world" })).allowed,
    ).toBe(true);
    const mine = await again.ok("list_access_requests", {});
    expect(mine.items).toEqual([
      expect.objectContaining({ id: asked.id, status: "approved", reviewer: "joe" }),
    ]);
  });

  it("seeds once when several servers start on an empty folder at the same moment", async () => {
    const started = await Promise.all(["joe", "jane", "henry", "rose"].map((user) => serve(user)));
    for (const server of started) expect((await server.ok("list_resource_instances", {})).total).toBe(4);
    expect((await readdir(dataDir)).filter((name) => name.endsWith(".db"))).toEqual(["access.db"]);
  });

  it("leaves exactly one decision when two reviewers in two processes decide at once", async () => {
    const [henry, joe, jane] = await Promise.all([serve("henry"), serve("joe"), serve("jane")]);
    for (let round = 0; round < 3; round += 1) {
      const asked = await henry.ok("create_operation_approval", {
        resource_instance: "fancy-french",
        operation: `order_dish:round ${round}`,
        reason: "race",
      });
      const results = await Promise.all([
        joe.call("approve_operation_approval", { operation_approval_id: asked.id }),
        jane.call("deny_operation_approval", { operation_approval_id: asked.id }),
      ]);
      expect(results.filter((result) => result.isError).map((result) => result.text.split(":")[0])).toEqual([
        "conflict",
      ]);
    }
  });

  it("refuses to start without ASKFIRST_USER, with exit 2 and a one-line reason", async () => {
    const result = await runCli(["serve", "--demo", "family-food", "--data", dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/ASKFIRST_USER.*not set/)]);
    expect(result.stdout).toBe("");
    expect(await readdir(dataDir)).toEqual([]);
  });

  it("rejects bad flags with exit 2 before touching the data folder", async () => {
    const env = { ASKFIRST_USER: "henry" };
    const cases: [string[], RegExp][] = [
      [["--demo", "space-food"], /unknown demo "space-food"; available: family-food/],
      [["--backend", "cloud"], /unknown backend "cloud"; accepted: local, permit/],
      [["--http", "here:there"], /invalid --http "here:there"/],
      [["--http", "127.0.0.1:0"], /needs bearer tokens/],
      [["--tokens", "t.json"], /--tokens only applies with --http/],
      [["--seed", join(dataDir, "missing.json")], /cannot read seed file/],
    ];
    for (const [args, expected] of cases) {
      const result = await runCli(["serve", "--data", join(dataDir, "d"), ...args], { env });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(expected);
    }
    expect(await readdir(dataDir)).toEqual([]);
  });

  it("names --data and says it is a file when it names one, with exit 2", async () => {
    const file = join(dataDir, "afile");
    await writeFile(file, "not a folder");
    for (const data of [file, join(file, "sub")]) {
      const result = await runCli(["serve", "--demo", "family-food", "--data", data], {
        env: { ASKFIRST_USER: "henry" },
      });
      expect(result.code, data).toBe(2);
      expect(result.stderr.trim()).toBe(
        `askfirst: --data ${data} is a file (or inside one), not a folder; give a folder for the data (it is created if missing)`,
      );
    }
  });

  it("says how to seed when the data folder is empty and no demo is given", async () => {
    const result = await runCli(["serve", "--data", dataDir], { env: { ASKFIRST_USER: "henry" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds no resources yet; start with --demo family-food/);
  });
});
