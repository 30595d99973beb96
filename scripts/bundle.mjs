// Bundles the built CLI (tsc's dist/cli/bin.js, which loads main.js) into dist/bin/: the command users run (package.json's
// bin). Loading ~600 small ES modules of LangChain, LangGraph and zod one by one is most of a command's
// start; bundled, `chat -q` starts in about 60% of the time (1.13 s → 0.70 s, measured alternately). Lazy
// imports stay lazy: each becomes its own chunk. Native and optional modules stay outside, in node_modules.
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(root, "dist/bin");

// Modules written as CommonJS may read these; in an ES module chunk they are made from the chunk's location.
const commonJsShims = [
  'import { createRequire as __askfirstRequire } from "node:module";',
  'import { fileURLToPath as __askfirstPath } from "node:url";',
  'import { dirname as __askfirstDir } from "node:path";',
  "const require = __askfirstRequire(import.meta.url);",
  "const __filename = __askfirstPath(import.meta.url);",
  "const __dirname = __askfirstDir(__filename);",
].join(" ");

// Our own modules come with tsc's source maps; handed to the bundler with the code, the bundle's maps lead
// back to src/*.ts. `DEBUG=1` turns them on for a stack trace (see cli/bin.ts).
const ownDist = resolve(root, "dist") + sep;
const tscSourceMaps = {
  name: "askfirst-tsc-source-maps",
  load(id) {
    if (!id.startsWith(ownDist) || !id.endsWith(".js") || !existsSync(`${id}.map`)) return null;
    return { code: readFileSync(id, "utf8"), map: readFileSync(`${id}.map`, "utf8") };
  },
};

const result = await build({
  input: { askfirst: resolve(root, "dist/cli/bin.js") },
  platform: "node",
  // better-sqlite3 and pg load native code or optional packages at run time.
  external: [/^better-sqlite3(\/|$)/, /^pg(-native)?(\/|$)/, /^bindings$/],
  logLevel: "warn",
  plugins: [tscSourceMaps],
  output: {
    dir: out,
    format: "esm",
    entryFileNames: "[name].js",
    // Names without a hash: a chat still running from the last build finds its lazy chunks after this one.
    chunkFileNames: "chunks/[name].js",
    banner: commonJsShims,
    sourcemap: true,
  },
});

// Files of earlier builds that this one did not write again are removed.
const written = new Set(result.output.map((file) => file.fileName));
for (const file of readdirSync(out, { recursive: true, withFileTypes: true })) {
  const path = join(file.parentPath, file.name);
  if (file.isFile() && !written.has(relative(out, path).split(sep).join("/"))) rmSync(path);
}
