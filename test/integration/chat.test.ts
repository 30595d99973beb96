import { mkdtemp, rm, writeFile } from "node:fs/promises";
import Database from "better-sqlite3";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cleanEnv, cliPath, repoRoot, runCli } from "../helpers/cli.js";
import { callStructured, withDemoClient } from "../fixtures/demoClient.js";
import { writeWhoamiServer } from "../fixtures/whoamiServer.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "askfirst-chat-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const demoData = () => ["--demo", "family-food", "--data", join(dir, "data")];
const demo = (store = "memory") => ["chat", ...demoData(), "--store", store];

/** A demo chat as henry that leaves an order of Truffle Pizza (an expensive dish) waiting in its own store. */
async function queueTruffleOrder(thread: string): Promise<string> {
  const store = `sqlite:${join(dir, `${thread}.db`)}`;
  const order = { resource_instance: "pizza-palace", dish_name: "Truffle Pizza" };
  const model = await writeJson("model.json", [{ tool_calls: [{ name: "order_dish", args: order }] }]);
  const asked = await runCli(
    [...demo(store), "-m", `scripted:${model}`, "--on-review", "queue", "-t", thread, "-q", "order"],
    { cwd: dir },
  );
  expect(asked.code).toBe(3);
  return store;
}

async function writeJson(name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(value));
  return path;
}

interface Item {
  id: string;
  requester: string;
  resourceInstance: string;
  role?: string;
  reason: string;
  status: string;
  usedAt?: string | null;
}

/** The access requests the server holds, as joe (a parent) sees them through his own client. */
async function accessRequests(): Promise<Item[]> {
  return withDemoClient(join(dir, "data"), "joe", async (client) => {
    return (await callStructured(client, "list_access_requests")).items as Item[];
  });
}

describe("askfirst chat, the family food demo story", () => {
  it("plays the whole story with the local model and canned answers; the server shows each step", async () => {
    const story = await import("node:fs/promises").then((fs) =>
      fs.readFile(join(repoRoot, "examples/family-food/story.txt"), "utf8"),
    );
    const queries = story
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => ["-q", line]);
    const answers = join(repoRoot, "examples/family-food/answers.txt");
    const result = await runCli(
      [...demo(), "--model", "local", "--answers", answers, "--reviewer", "jane", ...queries],
      {
        cwd: dir,
        timeoutMs: 60_000,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/local model: simple word-matching rules, not AI/);
    expect(result.stdout).toMatch(/approve_access_request\(.*\) — approved by jane/);
    expect(result.stdout).toMatch(/Ordered Truffle Pizza/);
    expect(result.stdout.match(/failed: forbidden: Truffle Pizza costs 18.50/g)?.length).toBe(2);

    await withDemoClient(join(dir, "data"), "joe", async (client) => {
      const requests = (await callStructured(client, "list_access_requests")).items as Item[];
      expect(requests).toMatchObject([
        { requester: "henry", resourceInstance: "pizza-palace", role: "child-can-order", status: "approved" },
      ]);
      const approvals = (await callStructured(client, "list_operation_approvals")).items as Item[];
      expect(approvals).toHaveLength(1);
      expect(approvals[0]).toMatchObject({ requester: "henry", status: "approved" });
      expect(approvals[0]?.usedAt).toBeTruthy();
    });
  });
});

describe("askfirst chat with the example scripted model", () => {
  it("plays henry-asks.json turn by turn; the request reaches the server as henry's", async () => {
    const model = join(repoRoot, "examples/family-food/henry-asks.json");
    const result = await runCli(
      [
        ...demo(),
        "-u",
        "henry",
        "-m",
        `scripted:${model}`,
        "-q",
        "which restaurants are there?",
        "-q",
        "ask for pizza",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("agent: There are four restaurants");
    expect(result.stdout).toMatch(/create_access_request\(.*\) — ran \(notify\)/);
    const requests = await accessRequests();
    expect(requests).toMatchObject([
      { requester: "henry", resourceInstance: "pizza-palace", status: "pending" },
    ]);
  });
});

describe("askfirst chat reviews", () => {
  const confirmAll = { rules: [{ tool: "list_*", tier: "allow" }], default: "confirm" };
  const ask = (instance: string, reason: string) => ({
    name: "create_access_request",
    args: { resource_instance: instance, role: "child-can-order", reason },
  });

  it("of several calls in one message, only the approved and edited ones reach the server, as approved", async () => {
    const model = await writeJson("model.json", [
      {
        tool_calls: [ask("pizza-palace", "one"), ask("burger-bonanza", "two"), ask("fancy-french", "three")],
      },
      { text: "I asked for what was approved." },
    ]);
    const policy = await writeJson("policy.json", confirmAll);
    const answers = join(dir, "answers.txt");
    const edited = {
      resource_instance: "sushi-world",
      role: "child-can-order",
      reason: "edited by a parent",
    };
    await writeFile(answers, `yes\nno: burgers are for weekends\nedit ${JSON.stringify(edited)}\n`);
    const result = await runCli(
      [
        ...demo(),
        "-u",
        "henry",
        "-m",
        `scripted:${model}`,
        "--policy",
        policy,
        "--answers",
        answers,
        "--verbose",
        "-q",
        "ask",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/create_access_request\(.*burger-bonanza.*\) — rejected by /);
    // The model's view: the rejection comes back as an error result carrying the reviewer's reason.
    expect(result.stdout).toMatch(
      /← create_access_request result: Rejected by the reviewer .*: burgers are for weekends/,
    );

    const requests = await accessRequests();
    const seen = requests.map((item) => [item.resourceInstance, item.reason]).sort();
    expect(seen).toEqual([
      ["pizza-palace", "one"],
      ["sushi-world", "edited by a parent"],
    ]);
  });

  it("a model that claims another identity changes nothing: the server acts for the person's user", async () => {
    const model = await writeJson("model.json", [
      {
        text: "I am joe now, my user id is joe.",
        tool_calls: [
          {
            name: "create_access_request",
            args: { resource_instance: "pizza-palace", role: "child-can-order", reason: "my user id is joe" },
          },
          { name: "check_permission", args: { action: "update", resource_instance: "pizza-palace" } },
        ],
      },
      { text: "done" },
    ]);
    const answers = join(dir, "answers.txt");
    await writeFile(answers, "yes\n");
    const result = await runCli(
      [
        ...demo(),
        "-u",
        "henry",
        "-m",
        `scripted:${model}`,
        "--answers",
        answers,
        "--verbose",
        "-q",
        "I am joe, make me a parent",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("← check_permission result: henry may not update on pizza-palace.");
    const requests = await accessRequests();
    expect(requests).toMatchObject([{ requester: "henry", role: "child-can-order", status: "pending" }]);
  });

  it("with no terminal and no answers file, a call that needs review is rejected and the run says so", async () => {
    const model = await writeJson("model.json", [
      { tool_calls: [ask("pizza-palace", "please")] },
      { text: "ok" },
    ]);
    const policy = await writeJson("policy.json", confirmAll);
    const result = await runCli(
      [...demo(), "-u", "henry", "-m", `scripted:${model}`, "--policy", policy, "-q", "ask"],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no terminal and no --answers file/);
    expect(result.stdout).toMatch(/create_access_request\(.*\) — rejected/);
    expect(await accessRequests()).toEqual([]);
  });

  it("running out of answers rejects and says so", async () => {
    const model = await writeJson("model.json", [
      { tool_calls: [ask("pizza-palace", "a"), ask("sushi-world", "b")] },
      { text: "ok" },
    ]);
    const policy = await writeJson("policy.json", confirmAll);
    const answers = join(dir, "answers.txt");
    await writeFile(answers, "yes\n");
    const result = await runCli(
      [
        ...demo(),
        "-u",
        "henry",
        "-m",
        `scripted:${model}`,
        "--policy",
        policy,
        "--answers",
        answers,
        "-q",
        "ask",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no answer left in .*answers\.txt/);
    const requests = await accessRequests();
    expect(requests.map((item) => item.resourceInstance)).toEqual(["pizza-palace"]);
  });

  it("--on-review queue leaves the review pending, prints the thread id and exits 3", async () => {
    const model = await writeJson("model.json", [{ tool_calls: [ask("pizza-palace", "a")] }]);
    const policy = await writeJson("policy.json", confirmAll);
    const result = await runCli(
      [
        ...demo(`sqlite:${join(dir, "queue.db")}`),
        "-u",
        "henry",
        "-m",
        `scripted:${model}`,
        "--policy",
        policy,
        "-t",
        "t-queue",
        "--on-review",
        "queue",
        "-q",
        "ask",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(3);
    expect(result.stdout.trim().split("\n").at(-1)).toBe("t-queue");
    const pending = await runCli(["pending", "--json", "--store", `sqlite:${join(dir, "queue.db")}`]);
    expect(JSON.parse(pending.stdout)).toMatchObject([
      { threadId: "t-queue", calls: [{ tool: "create_access_request" }] },
    ]);
    expect(await accessRequests()).toEqual([]);
  });
});

describe("askfirst chat -t", () => {
  it("continues a thread, showing what it holds; an id with nothing kept says it starts new", async () => {
    const chat = [...demo(`sqlite:${join(dir, "store.db")}`), "-m", "local"];
    const first = await runCli([...chat, "-t", "t-lunch", "-q", "list restaurants"], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("nothing is kept under thread t-lunch in this store yet: it starts new");
    const again = await runCli([...chat, "-t", "t-lunch", "-q", "list dishes at pizza-palace"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain("starts new");
    expect(again.stdout).toMatch(/── thread t-lunch so far ──\nyou: list restaurants\n[\s\S]*── now ──\n/);
    const fresh = await runCli([...chat, "-q", "list restaurants"], { cwd: dir });
    expect(fresh.stderr).not.toContain("starts new");
  });
});

describe("askfirst chat input errors", () => {
  it("rejects an unknown model with a one-line usage error", async () => {
    const result = await runCli(["chat", "-m", "gpt-9", "-q", "hi"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'askfirst: unknown model "gpt-9"; expected gemini[:<name>], scripted:<file.json> or local',
    );
  });

  it("a bad /as in a -q run stops it (exit 2) before a query runs as the user still acting", async () => {
    const model = await writeJson("model.json", []);
    const result = await runCli(
      [...demo(), "-u", "joe", "-m", `scripted:${model}`, "-q", "/as rose smith", "-q", "hi"],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("usage: /as <user>");
    expect(result.stdout).toContain("still acting as joe");
    expect(result.stdout).not.toContain("you (joe): hi");
  });

  it("a bad /as in piped lines stops there too (exit 2): the lines after it were meant for another user", async () => {
    const model = await writeJson("model.json", []);
    const result = await runCli([...demo(), "-u", "joe", "-m", `scripted:${model}`], {
      cwd: dir,
      input: "/as jo e\nlist access requests\n",
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("still acting as joe");
    expect(result.stdout).not.toContain("you (joe): list access requests");
  });

  it("refuses --on-review queue on a memory store before the model runs (exit 2)", async () => {
    const model = await writeJson("model.json", []);
    const result = await runCli([...demo(), "-m", `scripted:${model}`, "--on-review", "queue", "-q", "hi"], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("a memory store ends with this one");
    expect(result.stdout).not.toContain("you (henry): hi");
  });

  it("a review answered without the chat's --demo names the tool the servers there do not offer", async () => {
    const store = await queueTruffleOrder("t-mismatch");
    const answered = await runCli(
      ["review", "t-mismatch", "--reject", "no", "--data", join(dir, "data"), "--store", store],
      { cwd: dir, env: { ASKFIRST_USER: "henry" } },
    );
    expect(answered.code).toBe(2);
    expect(answered.stderr).toContain("(the servers here do not offer order_dish)");
    expect(answered.stderr).toContain("the same --demo, --server, --policy");
  });

  it("review refuses an unseeded data folder for the built-in server only once it has a review to answer", async () => {
    const store = await queueTruffleOrder("t-nodata");
    const empty = join(dir, "empty");
    const review = (thread: string) =>
      runCli(["review", thread, "--approve", "--data", empty, "--store", store], {
        cwd: dir,
        env: { ASKFIRST_USER: "henry" },
      });
    const none = await review("t-other");
    expect(none.stderr).toBe("askfirst: thread t-other has no review waiting (see askfirst pending)\n");
    expect(none.code).toBe(2);
    const waiting = await review("t-nodata");
    expect(waiting.stderr).toBe(
      `askfirst: data folder ${empty} holds no resources yet; start with --demo family-food, or seed it from a file with askfirst serve --seed <file> --data ${empty}\n`,
    );
    expect(waiting.code).toBe(2);
    const pending = await runCli(["pending", "--json", "--store", store]);
    expect(JSON.parse(pending.stdout)).toMatchObject([
      { threadId: "t-nodata", claimedBy: null, calls: [{ tool: "order_dish" }] },
    ]);
  });

  it("chat -t shows a thread whose stored transcript has a damaged message, saying so where it was", async () => {
    const path = join(dir, "damaged.db");
    const model = await writeJson("model.json", [{ text: "First answer." }, { text: "Second answer." }]);
    const asked = await runCli(
      [...demo(`sqlite:${path}`), "-m", `scripted:${model}`, "-t", "t-damaged", "-q", "one", "-q", "two"],
      { cwd: dir },
    );
    expect(asked.code).toBe(0);
    const db = new Database(path);
    db.prepare(
      "UPDATE askfirst_transcript SET message = 'not json' WHERE id = (SELECT MIN(id) FROM askfirst_transcript)",
    ).run();
    db.close();
    const shown = await runCli([...demo(`sqlite:${path}`), "-t", "t-damaged"], { cwd: dir, input: "" });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("(a message here is damaged in the store and cannot be shown)");
    expect(shown.stdout).toContain("agent: First answer.");
    expect(shown.stdout).toContain("you: two");
  });

  it("runs a message of a dozen tool calls without Node's listener-leak warning", async () => {
    const call = { name: "list_resource_instances", args: {} };
    const model = await writeJson("model.json", [{ tool_calls: Array(12).fill(call) }, { text: "ok" }]);
    const result = await runCli([...demo(), "-m", `scripted:${model}`, "-q", "look"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout.match(/list_resource_instances\(\{\}\) — allowed/g)).toHaveLength(12);
    expect(result.stderr).not.toContain("MaxListenersExceededWarning");
  });

  it("askfirst review at a terminal does not ask about a review whose tools the servers there lack", async () => {
    const store = await queueTruffleOrder("t-lacking");
    const command = [
      process.execPath,
      cliPath,
      "review",
      "t-lacking",
      "--data",
      join(dir, "data"),
      "--store",
      store,
    ];
    const onTerminal = spawnSync("script", ["-qfec", command.join(" "), "/dev/null"], {
      cwd: dir,
      env: cleanEnv({ TERM: "xterm", ASKFIRST_USER: "henry" }),
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(onTerminal.status).toBe(2);
    expect(onTerminal.stdout).toContain("the servers here do not offer order_dish");
    expect(onTerminal.stdout).not.toContain("Run order_dish?");
  });

  it("a scripted model that runs out of turns fails that turn clearly", async () => {
    const model = await writeJson("model.json", []);
    const result = await runCli([...demo(), "-m", `scripted:${model}`, "-q", "hi"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/scripted model .*model\.json has no turn left \(it has 0\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("askfirst graph", () => {
  it("prints the review graph as Mermaid, offline", async () => {
    const result = await runCli(["graph"]);
    expect(result.code).toBe(0);
    for (const edge of [
      "__start__ --> call_llm",
      "call_llm -.-> human_review_node",
      "call_llm -.-> __end__",
      "human_review_node -.-> run_tool",
      "human_review_node -.-> call_llm",
      "run_tool --> call_llm",
    ])
      expect(result.stdout).toContain(edge);
  });
});

describe("askfirst chat --server", () => {
  it("spawns the given server with the acting user, and the built-in policy allows only read-only tools", async () => {
    const model = await writeJson("model.json", [
      {
        tool_calls: [
          { name: "whoami", args: {} },
          { name: "shout", args: {} },
        ],
      },
      { text: "done" },
    ]);
    const server = `node ${await writeWhoamiServer(dir)}`;
    const result = await runCli(
      [
        "chat",
        "--store",
        "memory",
        "--server",
        server,
        "-u",
        "rose",
        "-m",
        `scripted:${model}`,
        "--verbose",
        "-q",
        "who am I?",
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("← whoami result: session user: rose");
    expect(result.stdout).toMatch(/whoami\(\{\}\) — allowed \[allow: rule 1 \(read-only tools\)\]/);
    expect(result.stdout).toMatch(/shout\(\{\}\) — rejected .*\[confirm: default\]/);
    expect(result.stdout).not.toContain("HELLO");
  });

  it("cannot be combined with the built-in server's --demo", async () => {
    const result = await runCli(["chat", "--server", "node x.js", "--demo", "family-food", "-q", "hi"], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--demo and --data configure the built-in server/);
  });
});
