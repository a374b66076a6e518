// The runtime files through which a running sandbox announces itself to `certwh trigger`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  processAlive,
  type RuntimeEntry,
  readRuntimeFiles,
  removeRuntimeFile,
  runtimeDir,
  writeRuntimeFile,
} from "../../src/config/runtime-file.js";
import { defaultJournalPath } from "../../src/listen/paths.js";
import { tempDir } from "../helpers/cli.js";

const entry: RuntimeEntry = {
  kind: "sandbox",
  pid: process.pid,
  url: "http://127.0.0.1:8443/services/v2",
  apiKey: "runtime-file-test-key-0123456789",
  startedAt: "2026-01-31T09:00:00.000Z",
};

test("the folder: $XDG_RUNTIME_DIR/certwh, else $XDG_STATE_HOME/certwh, else ~/.local/state/certwh", () => {
  assert.equal(
    runtimeDir({ XDG_RUNTIME_DIR: "/run/user/1000", XDG_STATE_HOME: "/s", HOME: "/h" }),
    join("/run/user/1000", "certwh"),
  );
  assert.equal(runtimeDir({ XDG_STATE_HOME: "/s", HOME: "/h" }), join("/s", "certwh"));
  assert.equal(runtimeDir({ XDG_RUNTIME_DIR: "", XDG_STATE_HOME: "", HOME: "/h" }), "/h/.local/state/certwh");
  // Relative values are invalid (XDG spec): ignored, never a folder under the current directory.
  assert.equal(
    runtimeDir({ XDG_RUNTIME_DIR: "rel/run", XDG_STATE_HOME: "st", HOME: "/h" }),
    "/h/.local/state/certwh",
  );
  assert.equal(
    defaultJournalPath({ XDG_STATE_HOME: "st", HOME: "/h" }),
    "/h/.local/state/certwh/journal.ndjson",
  );
});

test("written atomically as a 0600 file in a 0700 folder, read back as written", () => {
  const dir = join(tempDir(), "deep", "certwh");
  const path = writeRuntimeFile(dir, entry);
  assert.equal(path, join(dir, `sandbox-${process.pid}.json`));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.deepEqual(readRuntimeFiles(dir), [{ path, entry }]);
  assert.deepEqual(readdirSync(dir), [`sandbox-${process.pid}.json`], "no temporary file is left");
});

test("an existing folder others can read is tightened to 0700", () => {
  const dir = join(tempDir(), "certwh");
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  writeRuntimeFile(dir, entry);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test("reading: no folder is no file; a file that is not an entry is listed without one (stale)", () => {
  assert.deepEqual(readRuntimeFiles(join(tempDir(), "missing")), []);
  const dir = tempDir();
  writeFileSync(join(dir, "sandbox-1.json"), "{half");
  writeFileSync(join(dir, "sandbox-2.json"), JSON.stringify({ ...entry, pid: "2" }));
  writeFileSync(
    join(dir, "listen-sandbox-3.json"),
    JSON.stringify({ ...entry, kind: "listen-sandbox", pid: 3 }),
  );
  writeFileSync(join(dir, ".sandbox-4-ab.tmp"), "{}");
  writeFileSync(join(dir, "notes.txt"), "x");
  const files = readRuntimeFiles(dir);
  assert.deepEqual(
    files.map((f) => [f.path, f.entry?.pid]),
    [
      [join(dir, "listen-sandbox-3.json"), 3],
      [join(dir, "sandbox-1.json"), undefined],
      [join(dir, "sandbox-2.json"), undefined],
    ],
  );
});

test("removing twice is fine", () => {
  const dir = tempDir();
  const path = writeRuntimeFile(dir, entry);
  removeRuntimeFile(path);
  removeRuntimeFile(path);
  assert.deepEqual(readRuntimeFiles(dir), []);
});

test("processAlive: this process is, a process that has exited is not", () => {
  assert.equal(processAlive(process.pid), true);
  const child = spawnSync(process.execPath, ["-e", "0"]);
  assert.equal(child.status, 0);
  assert.equal(processAlive(child.pid as number), false);
});
