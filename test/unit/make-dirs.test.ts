// mkdir -p without Node's recursive mkdir, which never returns under /proc (the reason for the module).
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { makeDirs, makeDirsSync } from "../../src/util/make-dirs.js";
import { tempDir } from "../helpers/cli.js";

test("makes the missing folders with the mode and returns the first it made; an existing folder is fine", async () => {
  const home = tempDir();
  const deep = join(home, "a", "b", "c");
  assert.equal(await makeDirs(deep, 0o700), join(home, "a"));
  assert.equal(statSync(deep).mode & 0o777, 0o700);
  assert.equal(await makeDirs(deep, 0o700), undefined, "nothing to make");
  assert.equal(makeDirsSync(join(deep, "d"), 0o700), join(deep, "d"));
});

test("a path under /proc fails at once with the system's error instead of retrying for ever", async () => {
  await assert.rejects(makeDirs("/proc/certwh-test/a", 0o700), { code: "ENOENT" });
  assert.throws(() => makeDirsSync("/proc/certwh-test/a", 0o700), { code: "ENOENT" });
});

test("a file in the way is the system's error (ENOTDIR or EEXIST), not a folder", async () => {
  const home = tempDir();
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(home, "f"), "");
  await assert.rejects(makeDirs(join(home, "f", "g"), 0o700), (err: NodeJS.ErrnoException) =>
    ["ENOTDIR", "EEXIST"].includes(err.code ?? ""),
  );
  await assert.rejects(makeDirs(join(home, "f"), 0o700), { code: "EEXIST" }, "the file itself");
  assert.throws(() => makeDirsSync(join(home, "f"), 0o700), { code: "EEXIST" });
});
