// Timing helpers shared by the benchmarks: run a subject and its baseline interleaved in the same run,
// then compare them by the median of the per-round ratios, which holds up on a noisy machine.
import { spawn } from "node:child_process";

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** Per-round ratios subject/baseline (rounds paired by index) and their median. */
export function medianRatio(subject, baseline) {
  const ratios = subject.map((s, i) => s / baseline[i]);
  return { ratio: median(ratios), ratios };
}

/** Fisher–Yates, so no variant always runs first in a round (caches, CPU frequency). */
export function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * Runs every variant once per round, in a fresh random order each round, `rounds` times (after `warmup`
 * unrecorded rounds). `variants` maps a name to an async function returning one measurement.
 */
export async function interleave(variants, { rounds, warmup = 1 }) {
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (const name of shuffled(Object.keys(variants))) {
      const value = await variants[name]();
      if (round >= warmup) samples[name].push(value);
    }
  }
  return samples;
}

/**
 * Spawns a process and resolves with its wall time in ms (spawn to exit), failing on a non-zero exit or
 * after `timeoutMs`. stdout/stderr are piped and discarded, as a script calling certwh would.
 */
export function timeProcess(command, args, { env, timeoutMs = 15_000, expectCode = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stdout.resume();
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== expectCode) {
        reject(
          new Error(`${[command, ...args].join(" ")} exited ${code ?? signal}: ${stderr.slice(0, 500)}`),
        );
      } else resolve(ms);
    });
  });
}
