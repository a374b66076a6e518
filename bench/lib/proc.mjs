// Child processes the benchmarks drive: start one, wait for a JSON line on its stdout, read its memory.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

/**
 * Spawns `command args` and resolves with the child and the first stdout JSON line for which `match`
 * returns true. Rejects when the child exits first or after `timeoutMs`.
 */
export function startChild(command, args, { env, match = () => true, timeoutMs = 20_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const lines = [];
    let stderr = "";
    let buffer = "";
    let done = false;
    const fail = (message) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${message}\nstderr: ${stderr.slice(-2000)}`));
    };
    const timer = setTimeout(
      () => fail(`no matching line from ${args.join(" ")} within ${timeoutMs} ms`),
      timeoutMs,
    );
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    child.stdout.setEncoding("utf8").on("data", (d) => {
      // Once ready, only drain stdout (listen prints a line per event; parsing them here would steal CPU).
      if (done) return;
      buffer += d;
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
        let parsed;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        lines.push(parsed);
        if (!done && match(parsed)) {
          done = true;
          clearTimeout(timer);
          resolve({ child, line: parsed, lines, stderr: () => stderr });
        }
      }
    });
    child.on("exit", (code, signal) =>
      fail(`${args.join(" ")} exited (${code ?? signal}) before it was ready`),
    );
  });
}

/** Stops a child with SIGTERM (SIGKILL after `graceMs`) and resolves once it has exited. */
export function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts a new peak for peakRssMb (Linux: writing 5 to clear_refs resets VmHWM), so a measurement covers
 * only what follows (e.g. the load, not the start-up). Returns false where that is not possible.
 */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Peak resident set size of a running process in MB (Linux: VmHWM), or null where unavailable. */
export function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}
