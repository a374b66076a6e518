// File-system errors as sentences: the path, the real cause, exit 2 with the json code "file".

import assert from "node:assert/strict";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { FileError } from "../../src/errors.js";
import { describeFailure } from "../../src/io/exit-codes.js";
import { blockingFile, describeCause, fileError } from "../../src/util/fs-error.js";
import { tempDir } from "../helpers/cli.js";

const dir = tempDir("certwh-fs-error-");
after(() => rmSync(dir, { recursive: true, force: true }));

const fsError = (code: string, syscall = "open") =>
  Object.assign(new Error(`${code}: boom, ${syscall}`), { code, syscall, errno: -1 });

test("each errno becomes words with the code; the sentence names the role and the path; exit 2, code file", () => {
  const cases: [string, RegExp][] = [
    ["EACCES", /permission denied \(EACCES\)/],
    ["EISDIR", /it is a folder, not a file \(EISDIR\)/],
    ["ENOSPC", /no space left on the device \(ENOSPC\)/],
    ["ELOOP", /symbolic links .*\(ELOOP\)/],
    ["ENOENT", /no such file or folder \(ENOENT\)/],
    ["EROFS", /read-only \(EROFS\)/],
  ];
  for (const [code, words] of cases) {
    // Injected: the tests run as root, where a mode-000 file is still readable.
    const err = fileError(fsError(code), "/x/config.json", { what: "the config file", action: "read" });
    assert.ok(err instanceof FileError);
    assert.equal(err.errno, code);
    assert.match(err.message, /^Cannot read the config file \/x\/config\.json: /);
    assert.match(err.message, words);
    const failure = describeFailure(err);
    assert.equal(failure.exitCode, 2);
    assert.equal(failure.code, "file");
  }
  const withInstead = fileError(fsError("EACCES"), "/j", {
    what: "the journal",
    action: "write",
    instead: "use --no-journal",
  });
  assert.match(withInstead.hint ?? "", /permissions.*Or use --no-journal\./);
});

test("a cause with no advice of its own: the way around it is the hint, as a sentence of its own", () => {
  const journal = {
    what: "the journal",
    action: "write",
    instead: "choose another --journal, or run with --no-journal",
  } as const;
  // `--journal /proc/version`: the kernel answers EIO.
  const eio = fileError(fsError("EIO", "write"), "/proc/version", journal);
  assert.equal(eio.hint, "Choose another --journal, or run with --no-journal.");
  const advised = fileError(fsError("EROFS", "mkdir"), "/ro/j.ndjson", journal);
  assert.equal(
    advised.hint,
    "Use a path on a writable file system. Or choose another --journal, or run with --no-journal.",
  );
  assert.equal(fileError(fsError("EIO"), "/x", { what: "the config file", action: "read" }).hint, undefined);
});

test("EEXIST or ENOTDIR from a path under a file is reported as ENOTDIR naming that file", async () => {
  const aFile = join(dir, "afile");
  writeFileSync(aFile, "");
  const target = join(aFile, "sub", "j.ndjson");
  assert.equal(blockingFile(target), aFile);
  assert.equal(blockingFile(join(dir, "missing", "j.ndjson")), undefined);
  const real = await open(target, "w").catch((e: unknown) => e);
  assert.equal(describeCause(real, target).errno, "ENOTDIR");
  assert.equal(
    describeCause(fsError("EEXIST", "mkdir"), join(aFile, "j.ndjson")).cause,
    `${aFile} is a file, not a folder (ENOTDIR)`,
  );
  // A real EEXIST (the file itself exists) stays EEXIST.
  assert.equal(describeCause(fsError("EEXIST"), aFile).errno, "EEXIST");
});

test("a symlink loop is ELOOP; a symlink to a folder on the way is a folder", async () => {
  const loop = join(dir, "loop");
  symlinkSync(loop, loop);
  const real = await open(loop, "r").catch((e: unknown) => e);
  assert.match(fileError(real, loop, { what: "the secret file", action: "read" }).message, /\(ELOOP\)/);
  mkdirSync(join(dir, "real-folder"));
  symlinkSync(join(dir, "real-folder"), join(dir, "linked"));
  assert.equal(blockingFile(join(dir, "linked", "x", "y")), undefined);
});

test("a file-system error no command worded is still a file failure (exit 2), not a bug", () => {
  const err = Object.assign(fsError("EACCES"), { path: "/etc/something" });
  const failure = describeFailure(err);
  assert.equal(failure.exitCode, 2);
  assert.equal(failure.code, "file");
  assert.match(failure.message, /\/etc\/something: permission denied \(EACCES\)/);
});

test("a folder on the way that could not be made is named with its own cause, for every file role", () => {
  // Injected: as root, a read-only folder does not refuse mkdir.
  const err = Object.assign(fsError("EACCES", "mkdir"), { path: "/ro/cfg" });
  const config = fileError(err, "/ro/cfg/certwh/config.json", { what: "the config file", action: "write" });
  assert.equal(
    config.message,
    "Cannot write the config file /ro/cfg/certwh/config.json: cannot create the folder /ro/cfg: permission denied (EACCES).",
  );
  // The folder that is the path itself is not named twice.
  const own = fileError(Object.assign(fsError("EROFS", "mkdir"), { path: "/ro/chain" }), "/ro/chain", {
    what: "the --save-chain folder",
    action: "create",
  });
  assert.doesNotMatch(own.message, /cannot create the folder/);
});
