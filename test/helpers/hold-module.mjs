// Preloaded with `node --import` by test/helpers/cli.ts's holdModule: holds back the loading of one module of
// the CLI, so a test can act (send a signal) while certwh is still loading it. The module whose URL ends with
// CERTWH_TEST_HOLD_MODULE waits until the file "release" appears in CERTWH_TEST_HOLD_DIR (at most 10 s);
// the file "holding" says it is being held. Module hooks run off the main thread, whose event loop (and
// signal handling) goes on meanwhile, as during a slow load.
import { existsSync, writeFileSync } from "node:fs";
import { register } from "node:module";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isMainThread } from "node:worker_threads";

if (isMainThread) register(import.meta.url);

export async function load(url, context, nextLoad) {
  const dir = process.env.CERTWH_TEST_HOLD_DIR;
  const module = process.env.CERTWH_TEST_HOLD_MODULE;
  if (dir && module && url.endsWith(module)) {
    writeFileSync(join(dir, "holding"), url);
    for (let i = 0; i < 500 && !existsSync(join(dir, "release")); i++) await sleep(20);
  }
  return nextLoad(url, context);
}
