// The environment for spawned certwh processes: an isolated config home and nothing inherited that could
// reach a real CertCentral account (same isolation as test/helpers/cli.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(ROOT, "bin", "certwh.js");
export const DIST = join(ROOT, "dist");

const homes = [];

export function tempHome(prefix = "certwh-bench-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  homes.push(dir);
  return dir;
}

export function cleanupHomes() {
  for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function cliEnv(extra = {}, home = tempHome()) {
  return { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, NO_COLOR: "1", CI: "1", ...extra };
}
