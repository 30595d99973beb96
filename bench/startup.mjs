// `askfirst --help` against `node -e ""`: what starting the CLI costs on top of starting Node, timed in
// rounds together (timeInRounds).
import { cliPath, fmtMs, fmtRatio, median, row, timeCommand, timeInRounds } from "./lib.mjs";

export async function benchStartup() {
  const runs = 15;
  const [bareTimes, helpTimes] = await timeInRounds(
    [
      () => timeCommand(process.execPath, ["-e", ""]),
      () => timeCommand(process.execPath, [cliPath, "--help"]),
    ],
    { warmup: 2, measured: runs },
  );
  const [bare, help] = [median(bareTimes), median(helpTimes)];
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
