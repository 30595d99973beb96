// `askfirst --help` against `node -e ""`: what starting the CLI costs on top of starting Node.
import { cliPath, fmtMs, fmtRatio, medianOf, row, timeCommand } from "./lib.mjs";

export async function benchStartup() {
  const runs = 15;
  const bare = await medianOf(runs, () => timeCommand(process.execPath, ["-e", ""]), 2);
  const help = await medianOf(runs, () => timeCommand(process.execPath, [cliPath, "--help"]), 2);
  const ratio = help / bare;
  return [
    row(
      "askfirst --help (median of 15)",
      fmtMs(help),
      `node -e "": ${fmtMs(bare)}`,
      fmtRatio(ratio),
      "≤ 3×",
      ratio <= 3,
    ),
  ];
}
