// Start-up: whole-process wall time of the quick commands against `node -e 0`, interleaved.
import { BIN, cliEnv } from "./lib/env.mjs";
import { interleave, median, medianRatio, timeProcess } from "./lib/measure.mjs";

const COMMANDS = {
  "certwh --version": ["--version"],
  "certwh --help": ["--help"],
  "certwh event-types": ["event-types"],
};

export async function benchStartup({ rounds = 30 } = {}) {
  const env = cliEnv();
  const node = process.execPath;
  const variants = { "node -e 0": () => timeProcess(node, ["-e", "0"], { env }) };
  for (const [name, args] of Object.entries(COMMANDS))
    variants[name] = () => timeProcess(node, [BIN, ...args], { env });
  const samples = await interleave(variants, { rounds, warmup: 2 });
  const baseline = samples["node -e 0"];
  return Object.keys(COMMANDS).map((name) => {
    const { ratio } = medianRatio(samples[name], baseline);
    return {
      what: `${name} (whole process)`,
      baseline: "node -e 0",
      subject: `${median(samples[name]).toFixed(1)} ms`,
      base: `${median(baseline).toFixed(1)} ms`,
      ratio,
      target: name === "certwh --version" ? "reported" : "≤ 1.5×",
      met: name === "certwh --version" || ratio <= 1.5,
      rounds,
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchStartup({ rounds: Number(process.argv[2] ?? 30) })) console.log(row);
}
