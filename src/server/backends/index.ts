import type { Env } from "../../config/load.js";
import { UsageError } from "../../errors.js";
import type { Seed } from "../seed.js";
import type { Backend } from "./types.js";

export const backendKinds = ["local", "permit"] as const;
export type BackendKind = (typeof backendKinds)[number];

export function parseBackendKind(value: string): BackendKind {
  const found = backendKinds.find((kind) => kind === value);
  if (!found)
    throw new UsageError(
      `unknown backend "${value}"; accepted: ${backendKinds.join(", ")}`,
      "unknown_backend",
    );
  return found;
}

export interface OpenBackendOptions {
  kind: BackendKind;
  /** The local backend's data folder. */
  dataDir: string;
  /** Seeds an empty local data folder. The Permit backend keeps its data in the cloud and ignores it. */
  seed?: Seed;
  env: Env;
}

/** The one place that picks a backend. Each is imported lazily so one never loads the other's dependencies. */
export async function openBackend(options: OpenBackendOptions): Promise<Backend> {
  if (options.kind === "permit") {
    const { openPermitBackend } = await import("./permit/index.js");
    return openPermitBackend(options.env);
  }
  const { openLocalBackend } = await import("./local/localBackend.js");
  return openLocalBackend({ dataDir: options.dataDir, seed: options.seed });
}
