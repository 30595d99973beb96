#!/usr/bin/env node
// The command's entry. With DEBUG set, source maps are turned on before the rest loads (Node reads the maps
// of modules loaded after that), so the stack trace printed with an error names lines of src/*.ts.
if (process.env.DEBUG) process.setSourceMapsEnabled(true);
await import("./main.js");
