// certwh status --json against a running sandbox, against minimal scripts that make the same single request
// (GET /webhook with X-DC-DEVKEY) and print the body: with node:http (the target's baseline) and with undici.
import { BIN, cliEnv } from "./lib/env.mjs";
import { interleave, median, medianRatio, timeProcess } from "./lib/measure.mjs";

const HTTP_BASELINE = new URL("./servers/status-http.mjs", import.meta.url).pathname;
const UNDICI_BASELINE = new URL("./servers/status-undici.mjs", import.meta.url).pathname;

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
        http: () => timeProcess(process.execPath, [HTTP_BASELINE], { env }),
        undici: () => timeProcess(process.execPath, [UNDICI_BASELINE], { env }),
      },
      { rounds, warmup: 2 },
    );
    const row = (baseline, key, target, limit) => {
      const { ratio } = medianRatio(samples.status, samples[key]);
      return {
        what: "certwh status --json against a running sandbox (whole process)",
        baseline,
        subject: `${median(samples.status).toFixed(1)} ms`,
        base: `${median(samples[key]).toFixed(1)} ms`,
        ratio,
        target,
        met: ratio <= limit,
        rounds,
      };
    };
    return [
      row("minimal node:http script, same request", "http", "≤ 2×", 2),
      row("minimal undici script, same request", "undici", "reported", Number.POSITIVE_INFINITY),
    ];
  } finally {
    await sandbox.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchStatus({ rounds: Number(process.argv[2] ?? 10) }));
}
