import { expect, it } from "vitest";
import type { AuditRecord } from "../../src/store/types.js";
import { runCli } from "../helpers/cli.js";
import { itInWorld, runOnTerminal } from "./reviewFixtures.js";

/** Secret values under innocent names, and one only the server knows, which it puts in its error. */
const args = {
  password: "PWSECRET123",
  note: "ctx GOOGLE_API_KEY=AIzaSyNOTEKEY0123456789",
  header: "Bearer HEADERBEARERSECRET",
  dsn: "postgres://bob:URLPWSECRET@db/x",
};
const secrets = /PWSECRET123|AIzaSyNOTEKEY|HEADERBEARERSECRET|URLPWSECRET|ERRONLYSECRET/;
const maskedArgs = {
  password: "***",
  note: "ctx GOOGLE_API_KEY=***",
  header: "Bearer ***",
  dsn: "postgres://bob:***@db/x",
};

itInWorld(
  "a secret in a call's arguments or a tool's error reaches no card, queue, audit or transcript, though the tool gets it",
  async ({ world }) => {
    const shown: string[] = [];
    const asked = await world.cli([
      ...["chat", "-u", "joe", "-q", "log me in", "--on-review", "queue"],
      ...["-m", world.model("ask", [{ tool_calls: [{ name: "log_in", args }] }])],
    ]);
    expect(asked.code).toBe(3);
    const threadId = asked.stdout.trim().split("\n").at(-1) ?? "";
    const pending = await world.cli(["pending"]);
    const pendingJson = await world.cli(["pending", "--json"]);
    expect((JSON.parse(pendingJson.stdout) as { calls: { args: object }[] }[])[0]?.calls[0]?.args).toEqual(
      maskedArgs,
    );
    const card = await runOnTerminal(
      world,
      ["review", threadId, "--verbose", "-m", world.model("after", [{ text: "The login failed." }])],
      [{ after: /Run log_in\?/, type: "yes" }],
    );
    expect(card.code).toBe(0);
    expect(card.output).toContain('"header": "Bearer ***"');
    expect(card.output).toMatch(/failed: bad login with \{"password":"\*\*\*",.*; session token=\*\*\*/);
    expect(world.serverCalls()).toEqual([{ tool: "log_in", user: "joe", args }]);

    const audit = await world.cli(["audit"]);
    const auditJson = await world.cli(["audit", "--json"]);
    const [record] = JSON.parse(auditJson.stdout) as AuditRecord[];
    expect(record).toMatchObject({ decision: "approved", outcome: "error", args: maskedArgs });
    expect(record?.error).toContain('"dsn":"postgres://bob:***@db/x"');
    // The digest is of the exact arguments: --match-args still recognises them.
    const matched = await world.cli(["audit", "--seq", "1", "--match-args", JSON.stringify(args)]);
    expect(matched.code).toBe(0);
    const history = await world.cli(["chat", "-t", threadId, "-m", world.model("none", [{ text: "-" }])]);
    expect(history.stdout).toContain("← log_in: bad login with");

    shown.push(asked.stdout, asked.stderr, pending.stdout, pendingJson.stdout, card.output);
    shown.push(
      audit.stdout,
      auditJson.stdout,
      matched.stdout,
      matched.stderr,
      history.stdout,
      history.stderr,
    );
    for (const text of shown) expect(text).not.toMatch(secrets);
  },
);

it("--server with a leading NAME=value is refused (exit 2), naming the variable, never its value", async () => {
  const result = await runCli([
    "chat",
    "--store",
    "memory",
    "--server",
    "GITHUB_TOKEN=ghp_ENVSECRET node slow.mjs",
  ]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("--server cannot set environment variables (GITHUB_TOKEN)");
  expect(result.stdout + result.stderr).not.toContain("ENVSECRET");
});
