// A tool call round trip through `askfirst serve` (stdio) against the same call to a bare echo MCP server.
import { resolve } from "node:path";
import { cliPath, fmtMs, fmtRatio, repoRoot, row, withTempDir } from "./lib.mjs";
import { connectStdio, medianCall } from "./mcpClient.mjs";

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
      const bare = await medianCall(echo, "echo", { text: "pizza-palace" }, calls);
      const served = await medianCall(
        askfirst,
        "check_permission",
        { action: "read", resource_instance: "pizza-palace" },
        calls,
      );
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
