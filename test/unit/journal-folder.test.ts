// The journal's folder cannot be created: the folder at fault and its own cause are reported, not the ENOENT
// Node's recursive mkdir answers for a read-only file system (it looks the folder up after EROFS and reports
// that lookup; certwh makes folders one by one). The file system's answers are injected: the tests run as
// root, on a writable disk.
import assert from "node:assert/strict";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { journalFailure } from "../../src/listen/journal-failure.js";
import { type Mkdir, makeDirs } from "../../src/util/make-dirs.js";
import { tempDir } from "../helpers/cli.js";

const root = tempDir("certwh-journal-folder-");
after(() => rmSync(root, { recursive: true, force: true }));

const fsError = (code: string, path: string) =>
  Object.assign(new Error(`${code}: mkdir '${path}'`), { code, syscall: "mkdir", path, errno: -1 });

/** A file system where `folder` cannot be made (`code`). */
function refusing(folder: string, code: string): Mkdir {
  return async (path, options) => {
    if (path === folder) throw fsError(code, path);
    mkdirSync(path, { mode: options.mode });
  };
}

for (const [code, words, hint] of [
  [
    "EROFS",
    /the file system is read-only \(EROFS\)/,
    "Use a path on a writable file system. Or choose another --journal, or run with --no-journal.",
  ],
  [
    "EACCES",
    /permission denied \(EACCES\)/,
    "Fix the permissions of the file or its folders (chmod, chown). Or choose another --journal, or run with --no-journal.",
  ],
] as const) {
  test(`${code} creating the journal's folder: that folder and ${code} are reported`, async () => {
    const state = join(root, code.toLowerCase());
    mkdirSync(state);
    const folder = join(state, "certwh");
    const journal = join(folder, "sandbox-journal.ndjson");
    const err = await makeDirs(folder, 0o700, refusing(folder, code)).then(
      () => assert.fail("the folder was made"),
      (e: unknown) => e,
    );
    assert.equal((err as NodeJS.ErrnoException).code, code);
    assert.equal((err as NodeJS.ErrnoException).path, folder);

    const failure = journalFailure(journal, err);
    assert.equal(
      failure.message.replace(words, "<cause>"),
      `Could not write the journal ${journal}: cannot create the folder ${folder}: <cause>, so events cannot be acknowledged.`,
    );
    assert.doesNotMatch(failure.message, /ENOENT/);
    assert.equal(failure.hint, hint);
  });
}

test("a folder deeper down: the missing ones are made, and the one that fails is named", async () => {
  const state = join(root, "deep");
  const refused = join(state, "a", "b");
  const err = await makeDirs(join(refused, "certwh"), 0o700, refusing(refused, "EROFS")).then(
    () => assert.fail("the folder was made"),
    (e: unknown) => e as NodeJS.ErrnoException,
  );
  assert.equal(err.code, "EROFS");
  assert.equal(err.path, refused);
});

test("a folder that can be made is made, with its mode", async () => {
  const folder = join(root, "fine", "certwh");
  await makeDirs(folder, 0o700);
  await makeDirs(folder, 0o700); // already there: nothing to do
  assert.equal(statSync(folder).mode & 0o777, 0o700);
});
