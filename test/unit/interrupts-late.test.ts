// A signal that arrives after the command finished (its result printed, the process winding down) ends the
// process with the command's own exit code: it must not kill it as "interrupted" after a success was shown.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const INTERRUPTS = fileURLToPath(new URL("../../src/cli/interrupts.ts", import.meta.url));

/** A process that finishes a "command" with `code`, then stays busy winding down, and is sent `signal`. */
async function lateSignal(signal: NodeJS.Signals, code: number) {
  const script = `
    import { Interrupts } from ${JSON.stringify(INTERRUPTS)};
    const interrupts = new Interrupts();
    interrupts.watchSignals();
    void interrupts.signal; // the command ran
    interrupts.dispose();
    process.exitCode = ${code};
    setTimeout(() => process.exit(99), 10_000); // winding down (a socket, a slow reader): bounded
    process.stdout.write("done\\n");
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [first] = (await once(child.stdout, "data")) as [Buffer];
  assert.equal(first.toString(), "done\n");
  child.kill(signal);
  const [exitCode, bySignal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  return { exitCode, bySignal };
}

test("Ctrl-C after the command finished: the process ends with the command's code, not by the signal", async () => {
  assert.deepEqual(await lateSignal("SIGINT", 0), { exitCode: 0, bySignal: null });
  assert.deepEqual(await lateSignal("SIGTERM", 5), { exitCode: 5, bySignal: null });
});
