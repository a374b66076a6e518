// --secret-out: a new file, or an existing regular file replaced only when agreed (--yes/--force or a
// confirmation); written whole (temporary file + rename) with mode 0600; never a folder, FIFO or device.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { resolveSecret, saveGeneratedSecret } from "../../src/commands/options/secret-source.js";
import { FileError, UsageError } from "../../src/errors.js";
import { tempDir } from "../helpers/cli.js";

const root = tempDir("certwh-secret-out-");
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
};
const generate = (outFile: string) => ({ kind: "generate" as const, outFile });
const mode = (p: string) => statSync(p).mode & 0o777;

test("a new file is written 0600 with the secret and a newline, and no temporary file is left", async () => {
  const d = fresh();
  const file = join(d, "s");
  const secret = await resolveSecret(generate(file), {});
  assert.equal(secret.overwrite, false);
  await saveGeneratedSecret(secret);
  assert.equal(readFileSync(file, "utf8"), `${secret.value}\n`);
  assert.equal(mode(file), 0o600);
  assert.deepEqual(readdirSync(d), ["s"]);
});

test("an existing file: refused without a way to ask; replaced with force; asked otherwise", async () => {
  const d = fresh();
  const file = join(d, "s");
  writeFileSync(file, "old\n", { mode: 0o644 });
  await assert.rejects(resolveSecret(generate(file), {}), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /already exists/);
    assert.match(err.hint ?? "", /--yes/);
    return true;
  });
  const questions: string[] = [];
  await assert.rejects(
    resolveSecret(
      generate(file),
      {},
      {
        confirm: async (q) => {
          questions.push(q);
          return false;
        },
      },
    ),
    /kept .* as it is; nothing was sent/,
  );
  assert.match(questions[0] ?? "", /Replace .*s with the new secret\?/);
  assert.equal(readFileSync(file, "utf8"), "old\n");

  const asked = await resolveSecret(generate(file), {}, { confirm: async () => true });
  assert.equal(asked.overwrite, true);
  const forced = await resolveSecret(
    generate(file),
    {},
    {
      force: true,
      confirm: async () => assert.fail("not asked"),
    },
  );
  assert.equal(forced.overwrite, true);
  await saveGeneratedSecret(forced);
  assert.equal(readFileSync(file, "utf8"), `${forced.value}\n`);
  assert.equal(mode(file), 0o600);
});

test("replacing through a symlink replaces the file it points to and keeps the link", async () => {
  const d = fresh();
  const real = join(d, "real");
  const link = join(d, "link");
  writeFileSync(real, "old\n");
  symlinkSync(real, link);
  const secret = await resolveSecret(generate(link), {}, { force: true });
  await saveGeneratedSecret(secret);
  assert.ok(statSync(link).isFile());
  assert.equal(readFileSync(real, "utf8"), `${secret.value}\n`);
  assert.equal(readFileSync(link, "utf8"), `${secret.value}\n`);
});

test("a folder, a FIFO or a missing folder is a FileError before anything is generated", async () => {
  const d = fresh();
  const fifo = join(d, "fifo");
  execFileSync("mkfifo", [fifo]);
  const aFile = join(d, "afile");
  writeFileSync(aFile, "");
  const cases: [string, RegExp][] = [
    [d, /it is a folder, not a regular file/],
    [fifo, /it is a FIFO, not a regular file/],
    [join(d, "missing", "s"), /no such file or folder \(ENOENT\)/],
    [join(aFile, "s"), /afile is a file, not a folder \(ENOTDIR\)/],
  ];
  for (const [path, message] of cases) {
    await assert.rejects(resolveSecret(generate(path), {}, { force: true }), (err: unknown) => {
      assert.ok(err instanceof FileError, String(err));
      assert.match(err.message, message);
      return true;
    });
  }
});

test("a file that appeared after the check is not replaced unless replacing was agreed", async () => {
  const d = fresh();
  const file = join(d, "s");
  const secret = await resolveSecret(generate(file), {});
  writeFileSync(file, "someone else's\n");
  await assert.rejects(saveGeneratedSecret(secret), /already exists/);
  assert.equal(readFileSync(file, "utf8"), "someone else's\n");
  assert.deepEqual(readdirSync(d), ["s"]);
});
