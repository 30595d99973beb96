// Plays the family food demo's scripted story: each line of story.txt is a `-q` query (or a /as command),
// each review is answered from answers.txt, on a throwaway data folder and an in-memory store.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const demo = join(root, "examples/family-food");
const queries = readFileSync(join(demo, "story.txt"), "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"));
const data = mkdtempSync(join(tmpdir(), "askfirst-story-"));
const args = [
  join(root, "dist/bin/askfirst.js"),
  "chat",
  "--demo",
  "family-food",
  "--data",
  data,
  "--store",
  "memory",
  "--model",
  "local",
  "--reviewer",
  "parent at the terminal",
  "--answers",
  join(demo, "answers.txt"),
  ...queries.flatMap((query) => ["-q", query]),
];
const result = spawnSync(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"], cwd: root });
rmSync(data, { recursive: true, force: true });
process.exitCode = result.status ?? 1;
