// `askfirst chat -q` start to exit, with a scripted model and the built-in server (one auto-allowed tool
// call, then an answer), against `askfirst --help` start to exit.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliPath, fmtMs, fmtRatio, medianOf, row, timeCommand, withTempDir } from "./lib.mjs";

const runs = 9;

export async function benchChatQuery() {
  return withTempDir("chat", async (dir) => {
    const script = join(dir, "turns.json");
    writeFileSync(
      script,
      JSON.stringify([
        {
          tool_calls: [
            { name: "check_permission", args: { action: "read", resource_instance: "pizza-palace" } },
          ],
        },
        { text: "Yes, you can read pizza-palace." },
      ]),
    );
    const chatArgs = [
      cliPath,
      "chat",
      "-q",
      "Can I read pizza-palace?",
      "-u",
      "henry",
      "-m",
      `scripted:${script}`,
      "--demo",
      "family-food",
      "--data",
      join(dir, "data"),
      "--store",
      `sqlite:${join(dir, "askfirst.db")}`,
    ];
    const help = await medianOf(runs, () => timeCommand(process.execPath, [cliPath, "--help"]), 1);
    const chat = await medianOf(runs, () => timeCommand(process.execPath, chatArgs, { cwd: dir }), 1);
    return [
      row(
        `askfirst chat -q, scripted model, built-in server, start to exit (median of ${runs})`,
        fmtMs(chat),
        `askfirst --help: ${fmtMs(help)}`,
        fmtRatio(chat / help),
        "≤ 1 s",
        chat <= 1000,
      ),
    ];
  });
}
