// Shared helpers for the benchmarks: timing, medians, and spawning the built CLI.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const cliPath = resolve(repoRoot, "dist/bin/askfirst.js");

/** Runs `work(dir)` in a new temporary folder, and removes the folder afterwards whatever happened. */
export async function withTempDir(name, work) {
  const dir = mkdtempSync(join(tmpdir(), `askfirst-bench-${name}-`));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs a command to completion and returns its wall time in ms; rejects on a non-zero exit. */
export function timeCommand(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = nowMs();
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const elapsed = nowMs() - started;
      if (code !== 0 && !options.allowExit?.includes(code)) {
        reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.slice(0, 400)}`));
      } else resolvePromise(elapsed);
    });
  });
}

/**
 * Runs each of `runners` (async functions that return the time they measured) once per round, `warmup`
 * unmeasured rounds and then `measured` ones, and returns each runner's measured times in the runners' order.
 * Each round runs them in a new order (a fixed-seed shuffle), so every runner follows every other as often:
 * the garbage, caches and busy moments one leaves behind land on all alike. In a fixed order, the runner
 * that always came after the heaviest one paid for it: the review ratio read 1.21× or 1.62× by order alone.
 */
export async function timeInRounds(runners, { warmup, measured }) {
  const times = runners.map(() => []);
  const random = seeded(0x5eed);
  const order = runners.map((_, index) => index);
  for (let round = 0; round < warmup + measured; round += 1) {
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const index of order) {
      const elapsed = await runners[index]();
      if (round >= warmup) times[index].push(elapsed);
    }
  }
  return times;
}

/**
 * How long V8 takes to settle on this code: timed in blocks of 100 turns from a fresh process, an agent turn over
 * stdio MCP read 7.9, 6.9, 6.9, 6.1 ms in its first four blocks and 4.1-5.3 ms from the fifth on, and
 * LangGraph alone in the same shape 4.6 → 2.4 ms. A figure from the first rounds measures the compiler more
 * than the design, so a per-turn figure is taken after `settling` rounds, and the first rounds are printed beside it.
 */
export const settling = { first: 200, settle: 400 };

/**
 * timeInRounds from a fresh start over `first` rounds, `settle` more and `measured` more: each runner's times
 * in the first rounds (`first`) and once settled (`steady`).
 */
export async function timeFirstAndSteady(runners, { first, settle, measured }) {
  const times = await timeInRounds(runners, { warmup: 0, measured: first + settle + measured });
  return times.map((each) => ({ first: each.slice(0, first), steady: each.slice(first + settle) }));
}

/** A small deterministic generator in [0, 1) (mulberry32), so every run shuffles alike. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Median wall time of `runs` runs, after `warmup` unmeasured ones. */
export async function medianOf(runs, fn, warmup = 1) {
  for (let i = 0; i < warmup; i += 1) await fn();
  const times = [];
  for (let i = 0; i < runs; i += 1) times.push(await fn());
  return median(times);
}

/** One row of the final table. `holds` is computed from value and target by the caller. */
export function row(what, figure, comparison, ratio, target, holds) {
  return { what, figure, comparison, ratio, target, holds: holds ? "yes" : "no" };
}

export const fmtMs = (ms) => (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`);
export const fmtRatio = (ratio) => `${ratio.toFixed(2)}×`;
