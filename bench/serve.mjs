// A tool call round trip through `askfirst serve` (stdio) against the same call to a bare echo MCP server,
// timed in rounds together (timeInRounds).
import { resolve } from "node:path";
import { cliPath, fmtMs, fmtRatio, median, repoRoot, row, timeInRounds, withTempDir } from "./lib.mjs";
import { callTimer, connectStdio } from "./mcpClient.mjs";

const calls = 500;

export async function benchServe() {
  return withTempDir("serve", async (dataDir) => {
    const echo = await connectStdio(process.execPath, [resolve(repoRoot, "bench/echoServer.mjs")]);
    const askfirst = await connectStdio(
      process.execPath,
      [cliPath, "serve", "--demo", "family-food", "--data", dataDir],
      { ASKFIRST_USER: "henry" },
    );
    try {
      const [bareTimes, servedTimes] = await timeInRounds(
        [
          callTimer(echo, "echo", { text: "pizza-palace" }),
          callTimer(askfirst, "check_permission", { action: "read", resource_instance: "pizza-palace" }),
        ],
        { warmup: 20, measured: calls },
      );
      const [bare, served] = [median(bareTimes), median(servedTimes)];
      const ratio = served / bare;
      return [
        row(
          `tool call through askfirst serve, stdio (median of ${calls})`,
          fmtMs(served),
          `bare echo MCP server: ${fmtMs(bare)}`,
          fmtRatio(ratio),
          "≤ 2×",
          ratio <= 2,
        ),
      ];
    } finally {
      await echo.close();
      await askfirst.close();
    }
  });
}
