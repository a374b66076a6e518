// certwh status --json against a running sandbox, against a minimal script that makes the same single
// request (GET /webhook with X-DC-DEVKEY) through undici and prints the body.
import { BIN, cliEnv } from "./lib/env.mjs";
import { interleave, median, medianRatio, timeProcess } from "./lib/measure.mjs";

const BASELINE = new URL("./servers/status-undici.mjs", import.meta.url).pathname;

export async function benchStatus({ rounds = 20 } = {}) {
  const { startSandbox } = await import("../dist/sandbox/index.js");
  // No rate limit: the benchmark makes far more than 100 requests in 5 s on purpose.
  const sandbox = await startSandbox({ rateLimit: false, probe: { create: false } });
  try {
    const created = await fetch(`${sandbox.url}/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-dc-devkey": sandbox.apiKey },
      body: JSON.stringify({
        endpoint: "https://hooks.example.com/certcentral",
        events: ["certificate_issued"],
      }),
    });
    if (!created.ok) throw new Error(`could not create the sandbox webhook: ${created.status}`);
    const env = cliEnv({ CERTWH_BASE_URL: sandbox.url, CERTWH_API_KEY: sandbox.apiKey });
    const samples = await interleave(
      {
        status: () => timeProcess(process.execPath, [BIN, "status", "--json"], { env }),
        undici: () => timeProcess(process.execPath, [BASELINE], { env }),
      },
      { rounds, warmup: 2 },
    );
    const { ratio } = medianRatio(samples.status, samples.undici);
    return {
      what: "certwh status --json against a running sandbox (whole process)",
      baseline: "minimal undici script, same request",
      subject: `${median(samples.status).toFixed(1)} ms`,
      base: `${median(samples.undici).toFixed(1)} ms`,
      ratio,
      target: "≤ 1.3×",
      met: ratio <= 1.3,
      rounds,
    };
  } finally {
    await sandbox.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchStatus({ rounds: Number(process.argv[2] ?? 10) }));
}
