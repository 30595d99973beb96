import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../../errors.js";

/** The local backend's data folder when --data is not given, relative to where askfirst runs. */
export const defaultDataDir = ".askfirst";

/** The file inside a data folder that holds the local backend. */
export const databaseFileName = "access.db";

/**
 * Refuses a data folder the local backend cannot serve from, before anything is opened or created: a path
 * naming a file, or (unless a seed will fill it) a folder never seeded. `chat` checks this too before it
 * spawns the built-in server, whose own refusal would reach it only as a closed connection.
 */
export function checkDataFolder(dataDir: string, options: { isSeeded: boolean }): void {
  assertFolderOrMissing(dataDir);
  if (!options.isSeeded && !existsSync(join(dataDir, databaseFileName))) throw emptyDataError(dataDir);
}

/**
 * Worded to hold for both commands that start this server: `serve` and the `chat` that spawns it take
 * `--demo`, but only `serve` takes `--seed`, so that one is named with its command.
 */
export function emptyDataError(dataDir: string): UsageError {
  return new UsageError(
    `data folder ${dataDir} holds no resources yet; start with --demo family-food, or seed it from a file with askfirst serve --seed <file> --data ${dataDir}`,
    "empty_data",
  );
}

/** A --data path naming a file (or a path through one) is the person's mistake: say so, exit 2. */
function assertFolderOrMissing(dataDir: string): void {
  let isFolder: boolean | undefined;
  try {
    isFolder = statSync(dataDir, { throwIfNoEntry: false })?.isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOTDIR") throw error;
    isFolder = false;
  }
  if (isFolder === false)
    throw new UsageError(
      `--data ${dataDir} is a file (or inside one), not a folder; give a folder for the data (it is created if missing)`,
      "data_not_folder",
    );
}
