// The bounded reader: a cap on bytes, sentences for folders and missing files, no blocking on a FIFO,
// and an abort that stops a read waiting for data.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { FileError, InterruptedError } from "../../src/errors.js";
import { readBounded } from "../../src/util/read-bounded.js";
import { tempDir } from "../helpers/cli.js";

const dir = tempDir("certwh-read-bounded-");
after(() => rmSync(dir, { recursive: true, force: true }));
const role = { what: "the test file" };

test("reads a file up to the limit; one byte more is ETOOBIG, also for an endless device", async () => {
  const file = join(dir, "ten");
  writeFileSync(file, "0123456789");
  assert.equal(await readBounded(file, { limitBytes: 10, role }), "0123456789");
  await assert.rejects(readBounded(file, { limitBytes: 9, role }), (err: unknown) => {
    assert.ok(err instanceof FileError);
    assert.equal(err.errno, "ETOOBIG");
    assert.match(err.message, /the test file .*ten: it is larger than 9 bytes/);
    return true;
  });
  await assert.rejects(readBounded("/dev/zero", { limitBytes: 1024, role }), /larger than 1 KiB/);
});

test("a missing file is undefined when allowed, else ENOENT; a folder is EISDIR", async () => {
  assert.equal(await readBounded(join(dir, "none"), { limitBytes: 10, role, missingOk: true }), undefined);
  await assert.rejects(
    readBounded(join(dir, "none"), { limitBytes: 10, role }),
    /no such file or folder \(ENOENT\)/,
  );
  await assert.rejects(
    readBounded(dir, { limitBytes: 10, role, missingOk: true }),
    /it is a folder, not a file \(EISDIR\)/,
  );
});

test("a FIFO: read as it is written; without a writer it reads empty instead of blocking", async () => {
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  assert.equal(await readBounded(fifo, { limitBytes: 100, role }), "");
  const writer = openSync(fifo, "r+");
  let open = true;
  try {
    const reading = readBounded(fifo, { limitBytes: 100, role });
    // The reader polls; the data arrives a little later, then the only writer goes away (EOF).
    await new Promise((resolve) => setTimeout(resolve, 50));
    writeSync(writer, "https://example.com\n");
    closeSync(writer);
    open = false;
    assert.equal(await reading, "https://example.com\n");
  } finally {
    if (open) closeSync(writer);
  }
});

test("an abort stops a read that waits on a FIFO with the signal's reason", async () => {
  const fifo = join(dir, "fifo-wait");
  execFileSync("mkfifo", [fifo]);
  const writer = openSync(fifo, "r+");
  try {
    const controller = new AbortController();
    const reading = readBounded(fifo, { limitBytes: 100, role, signal: controller.signal });
    setTimeout(() => controller.abort(new InterruptedError("SIGTERM")), 50);
    await assert.rejects(reading, InterruptedError);
  } finally {
    closeSync(writer);
  }
});
