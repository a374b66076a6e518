// The config file on disk: location, modes, atomic writes, permission warnings, broken JSON.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LOCK_STALE_MS, LOCK_WAIT_MS, lockFilePath } from "../../src/config/config-lock.js";
import { resolveSettings } from "../../src/config/resolve.js";
import {
  configDir,
  configFilePath,
  permissionProblem,
  readConfig,
  updateProfile,
} from "../../src/config/store.js";
import type { GlobalFlags } from "../../src/config/types.js";
import { FileError, UsageError } from "../../src/errors.js";
import type { Output } from "../../src/io/output.js";
import { captureOutput } from "../helpers/capture.js";
import { tempDir } from "../helpers/cli.js";

const dirs: string[] = [];
function home(): string {
  const d = tempDir("certwh-config-");
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const GLOBALS: GlobalFlags = { json: false, color: false, verbose: false, input: false, yes: false };
const mode = (p: string) => statSync(p).mode & 0o777;

function capture(): { io: Output; stderr: () => string } {
  const { io, stderr } = captureOutput();
  return { io, stderr: stderr.text };
}

test("location: $XDG_CONFIG_HOME/certwh, else ~/.config/certwh; a relative XDG_CONFIG_HOME is ignored", () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: "/x/cfg", HOME: "/h" }), "/x/cfg/certwh");
  assert.equal(configDir({ HOME: "/h" }), "/h/.config/certwh");
  assert.equal(configDir({ XDG_CONFIG_HOME: "rel", HOME: "/h" }), "/h/.config/certwh");
  assert.equal(configDir({}), join(homedir(), ".config", "certwh"));
  assert.equal(configFilePath({ XDG_CONFIG_HOME: "/x" }), "/x/certwh/config.json");
});

test("reading a missing config creates nothing", async () => {
  const h = home();
  const env = { XDG_CONFIG_HOME: h };
  assert.deepEqual({ ...(await readConfig(configFilePath(env))).profiles }, {});
  const { io, stderr } = capture();
  const s = await resolveSettings(GLOBALS, env, io);
  assert.equal(s.region, "us");
  assert.deepEqual(readdirSync(h), []);
  assert.equal(stderr(), "");
});

test("a write creates the directory 0700 and the file 0600, also over an older 0644 file and 0755 dir", async () => {
  const h = home();
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  await updateProfile(path, "default", (p) => ({ ...p, region: "eu" }));
  assert.equal(mode(join(h, "certwh")), 0o700);
  assert.equal(mode(path), 0o600);
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { profiles: { default: { region: "eu" } } });

  chmodSync(path, 0o644);
  chmodSync(join(h, "certwh"), 0o755);
  await updateProfile(path, "prod", (p) => ({ ...p, request_timeout: 60 }));
  assert.equal(mode(path), 0o600);
  assert.equal(mode(join(h, "certwh")), 0o700);
  assert.deepEqual(
    { ...(await readConfig(path)).profiles },
    { default: { region: "eu" }, prod: { request_timeout: 60 } },
  );
});

test("writes are atomic: a new file is renamed over the old one, no temporary file is left", async () => {
  const h = home();
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  await updateProfile(path, "default", () => ({ region: "eu" }));
  const before = statSync(path).ino;
  await updateProfile(path, "default", (p) => ({ ...p, region: "us" }));
  assert.notEqual(statSync(path).ino, before, "the file was replaced by rename, not rewritten in place");
  assert.deepEqual(readdirSync(join(h, "certwh")), ["config.json"]);
});

test("emptying a profile removes it; profile names with dots are kept whole", async () => {
  const h = home();
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  await updateProfile(path, "eu.prod", () => ({ region: "eu" }));
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")).profiles, { "eu.prod": { region: "eu" } });
  await updateProfile(path, "eu.prod", (p) => ({ ...p, region: undefined }));
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")).profiles, {});
});

test("a group/world-readable file → one warning suggesting chmod 600, settings still load", async () => {
  const h = home();
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  await updateProfile(path, "default", () => ({ region: "eu" }));
  chmodSync(path, 0o644);
  assert.match(permissionProblem(path) ?? "", /mode 644/);
  assert.equal(permissionProblem(path, "win32"), undefined);
  const { io, stderr } = capture();
  const s = await resolveSettings(GLOBALS, { XDG_CONFIG_HOME: h }, io);
  assert.equal(s.region, "eu");
  assert.match(stderr(), new RegExp(`chmod 600 ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  assert.equal(mode(path), 0o644, "reading never changes the mode behind the user's back");
});

test("broken JSON → UsageError (exit 2) naming the path, and the file is left untouched", async () => {
  const h = home();
  mkdirSync(join(h, "certwh"), { mode: 0o700 });
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  writeFileSync(path, '{"profiles": {', { mode: 0o600 });
  for (const attempt of [
    () => readConfig(path),
    () => updateProfile(path, "default", () => ({ region: "eu" })),
  ]) {
    await assert.rejects(attempt(), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.exitCode, 2);
      assert.ok(err.message.includes(path));
      return true;
    });
  }
  assert.equal(readFileSync(path, "utf8"), '{"profiles": {');
});

test("an unknown profile is refused, unless the file could not be read and nothing from it is needed", async () => {
  const h = home();
  mkdirSync(join(h, "certwh"), { mode: 0o700 });
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  writeFileSync(path, JSON.stringify({ profiles: { work: { region: "eu" } } }), { mode: 0o600 });
  const env = { XDG_CONFIG_HOME: h, CERTWH_PROFILE: "wrok" };
  await assert.rejects(resolveSettings(GLOBALS, env, capture().io), (err: unknown) => {
    assert.ok(err instanceof UsageError && !(err instanceof FileError));
    assert.equal(err.code, "unknown_profile");
    assert.equal(
      err.message,
      `Profile "wrok" (from CERTWH_PROFILE) is not in ${path} (known profiles: work).`,
    );
    return true;
  });
  // login creates it.
  assert.equal(
    (await resolveSettings(GLOBALS, env, capture().io, { profileMayBeNew: true })).profile,
    "wrok",
  );
  // A broken file skipped with a warning: which profiles it holds is unknown, so the name is not refused.
  writeFileSync(path, '{"profiles": {', { mode: 0o600 });
  const full = { ...env, CERTWH_API_KEY: "env-key-0123456789", CERTWH_REGION: "eu" };
  const { io, stderr } = capture();
  assert.equal((await resolveSettings(GLOBALS, full, io)).profile, "wrok");
  assert.match(stderr(), /is not valid JSON[\s\S]*continues without it/);
});

test("a file that is JSON but not an object of profiles → UsageError", async () => {
  const h = home();
  mkdirSync(join(h, "certwh"), { mode: 0o700 });
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  for (const text of ["[]", '"text"', "null", '{"profiles": 3}', '{"profiles": {"default": "eu"}}']) {
    writeFileSync(path, text, { mode: 0o600 });
    await assert.rejects(readConfig(path), UsageError, text);
  }
  assert.ok(existsSync(path));
});

test("profile names that are Object.prototype members are ordinary names, whatever the file holds", async () => {
  const h = home();
  mkdirSync(join(h, "certwh"), { mode: 0o700 });
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  // A file without "profiles" (hand-written, or from a newer certwh) and one with them read alike.
  for (const text of ["{}", '{"other": 1}', '{"profiles": {}}']) {
    writeFileSync(path, text, { mode: 0o600 });
    const { profiles } = await readConfig(path);
    for (const name of ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__"]) {
      assert.equal(profiles[name], undefined, `${text}: profile ${name}`);
    }
    assert.deepEqual(Object.keys(profiles), [], text);
  }
  // Writing the first profile into such a file: a "__proto__" name is stored, not swallowed as a prototype.
  writeFileSync(path, "{}", { mode: 0o600 });
  await updateProfile(path, "__proto__", () => ({ region: "eu" }));
  await updateProfile(path, "constructor", (p) => ({ ...p, region: "us" }));
  const written = JSON.parse(readFileSync(path, "utf8")).profiles;
  assert.deepEqual(Object.keys(written).sort(), ["__proto__", "constructor"]);
  assert.deepEqual({ ...(await readConfig(path)).profiles.constructor }, { region: "us" });
});

test("broken JSON: the error never quotes the file's text, which may hold the API key", async () => {
  const h = home();
  mkdirSync(join(h, "certwh"), { mode: 0o700 });
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  const key = "Zq8xVw3LmN5pR7tY9uB2cD4eF6gH8jK0";
  // The key pasted as the whole file, or written without quotes: JSON.parse quotes text around the error.
  for (const text of [key, `{"profiles": {"default": {"api_key": ${key}}}}`, `${key}\n{}`]) {
    writeFileSync(path, text, { mode: 0o600 });
    await assert.rejects(readConfig(path), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.ok(err.message.includes(path));
      assert.match(err.message, /not valid JSON/);
      assert.equal(err.message.includes(key.slice(0, 5)), false, err.message);
      return true;
    });
  }
  // A message that only gives a position is kept: it helps find the mistake and quotes nothing.
  writeFileSync(path, '{"profiles": {} x', { mode: 0o600 });
  await assert.rejects(readConfig(path), /position 16/);
  // Valid JSON that is not a config: said as such, and a file problem (code "file", exit 2).
  writeFileSync(path, "[]", { mode: 0o600 });
  await assert.rejects(readConfig(path), (err: unknown) => {
    assert.ok(err instanceof FileError);
    assert.equal(err.code, "file");
    assert.match(err.message, /is not a certwh config file \(the top level is not a JSON object\)/);
    return true;
  });
});

test("a change waits for another process's lock, and fails after LOCK_WAIT_MS naming it, with nothing changed", async () => {
  const h = home();
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  await updateProfile(path, "default", () => ({ region: "eu" }));
  const lock = lockFilePath(path);
  // Held by a live process of this host (this one), freshly: a change in progress elsewhere.
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname() }), { mode: 0o600 });
  const started = Date.now();
  await assert.rejects(
    updateProfile(path, "default", (p) => ({ ...p, region: "us" })),
    (err: unknown) => {
      assert.ok(err instanceof FileError);
      assert.equal(err.code, "file");
      assert.equal(err.exitCode, 2);
      assert.ok(err.message.includes(path) && err.message.includes(lock), err.message);
      assert.match(err.message, /Nothing was changed/);
      return true;
    },
  );
  const waited = Date.now() - started;
  assert.ok(waited >= LOCK_WAIT_MS - 100 && waited < LOCK_WAIT_MS + 3000, `waited ${waited} ms`);
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")).profiles, { default: { region: "eu" } });
  assert.ok(existsSync(lock), "another process's lock is left alone");

  // Released while waiting: the change goes through.
  setTimeout(() => rmSync(lock), 300);
  await updateProfile(path, "default", (p) => ({ ...p, region: "us" }));
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")).profiles, { default: { region: "us" } });
  assert.deepEqual(readdirSync(join(h, "certwh")), ["config.json"]);
});

test("a lock left by a crashed run (its process gone, or older than LOCK_STALE_MS) is taken over", async () => {
  const h = home();
  const path = configFilePath({ XDG_CONFIG_HOME: h });
  await updateProfile(path, "default", () => ({ region: "eu" }));
  const lock = lockFilePath(path);
  const dead = spawnSync(process.execPath, ["-e", ""]).pid;
  writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname() }), { mode: 0o600 });
  const started = Date.now();
  await updateProfile(path, "a", () => ({ region: "us" }));
  assert.ok(Date.now() - started < 2000, "no waiting for a dead process");

  // A live owner (or one on another host) but an old lock.
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: "elsewhere" }), { mode: 0o600 });
  const old = (Date.now() - LOCK_STALE_MS - 5000) / 1000;
  utimesSync(lock, old, old);
  await updateProfile(path, "b", () => ({ region: "eu" }));
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(path, "utf8")).profiles), ["default", "a", "b"]);
  assert.deepEqual(readdirSync(join(h, "certwh")), ["config.json"]);
});
