// certwh listen --sandbox --json: time from spawn to the ready line (against `certwh --version` in the same
// run), broken down by the NDJSON state lines listen prints on the way; and the listen process as the
// receiver under load (see receiver.mjs).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { BIN, cliEnv, tempHome } from "./lib/env.mjs";
import { interleave, median, medianRatio, timeProcess } from "./lib/measure.mjs";
import { startChild, stopChild } from "./lib/proc.mjs";

/** Starts `certwh listen --sandbox --json` with a known secret and journal; resolves at its ready line. */
export async function startListen(extraArgs = []) {
  const home = tempHome();
  const secret = randomBytes(32).toString("base64url");
  const journal = join(home, "journal.ndjson");
  const started = await startChild(
    process.execPath,
    [
      BIN,
      "listen",
      "--sandbox",
      "--json",
      "--secret-env",
      "BENCH_SECRET",
      "--journal",
      journal,
      ...extraArgs,
    ],
    { env: cliEnv({ BENCH_SECRET: secret }, home), match: (l) => l.type === "ready" },
  );
  return {
    child: started.child,
    url: started.line.local_url,
    secret,
    journal,
    kind: ["certwh listen --sandbox --json", ...extraArgs].join(" "),
  };
}

// Each step ends when the line that closes it arrives; the first step starts at spawn.
const STEPS = [
  ["start-up and receiver", (l) => l.stage === "receiver_started"],
  ["tunnel (none with --sandbox)", (l) => l.stage === "tunnel_started"],
  ["webhook create/update", (l) => ["webhook_created", "webhook_updated", "webhook_found"].includes(l.stage)],
  ["test event", (l) => l.stage === "tested"],
  ["challenge sent", (l) => l.stage === "challenge_sent"],
  ["token received and verified", (l) => l.stage === "verified"],
  ["activate", (l) => l.stage === "activated"],
  ["ready line", (l) => l.type === "ready"],
];

/** One listen run: ms from spawn to each step's closing line, then SIGTERM (shutdown not counted). */
function timeListenOnce() {
  return new Promise((resolve, reject) => {
    const home = tempHome();
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [BIN, "listen", "--sandbox", "--json", "--no-journal"], {
      env: cliEnv({}, home),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const marks = {};
    let buffer = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`listen was not ready within 20 s: ${stderr.slice(-500)}`));
    }, 20_000);
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    child.stdout.setEncoding("utf8").on("data", (d) => {
      const now = Number(process.hrtime.bigint() - started) / 1e6;
      buffer += d;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const text of lines) {
        const line = JSON.parse(text);
        for (const [name, test] of STEPS) if (marks[name] === undefined && test(line)) marks[name] = now;
        if (line.type === "ready") {
          clearTimeout(timer);
          stopChild(child).then(() => resolve(marks), reject);
        }
      }
    });
    child.on("error", reject);
  });
}

export async function benchListenReady({ rounds = 10 } = {}) {
  const env = cliEnv();
  const samples = await interleave(
    {
      listen: () => timeListenOnce(),
      version: () => timeProcess(process.execPath, [BIN, "--version"], { env }),
    },
    { rounds, warmup: 1 },
  );
  const ready = samples.listen.map((m) => m["ready line"]);
  const { ratio } = medianRatio(ready, samples.version);
  const breakdown = {};
  STEPS.forEach(([name], i) => {
    const durations = samples.listen.map((m) => m[name] - (i === 0 ? 0 : m[STEPS[i - 1][0]]));
    breakdown[name] = Number(median(durations).toFixed(1));
  });
  return {
    what: "certwh listen --sandbox --json: spawn to the ready line",
    baseline: "certwh --version",
    subject: `${median(ready).toFixed(1)} ms`,
    base: `${median(samples.version).toFixed(1)} ms`,
    ratio,
    target: "reported",
    met: true,
    rounds,
    detail: { breakdown_ms: breakdown },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchListenReady({ rounds: Number(process.argv[2] ?? 5) }), null, 2));
  const subject = await startListen();
  console.log("listen ready at", subject.url);
  await stopChild(subject.child);
}
