// listen's journal folder cannot be created (XDG_STATE_HOME under a regular file): exit 2 naming the folder
// that could not be made and why, not the journal file's "no such file or folder". Through the built CLI.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../helpers/cli.js";

test("the journal's folder cannot be made: that folder and the real cause, exit 2", async () => {
  const home = tempDir("certwh-journal-folder-");
  const aFile = join(home, "afile");
  writeFileSync(aFile, "");
  const state = join(aFile, "state");
  const r = await runCli(["listen", "--sandbox", "--no-inspect"], {
    configHome: home,
    env: { XDG_STATE_HOME: state },
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 2, r.stderr);
  assert.ok(
    r.stderr.includes(
      `Could not write the journal ${join(state, "certwh", "sandbox-journal.ndjson")}: cannot create the folder ${state}: ${aFile} is a file, not a folder (ENOTDIR)`,
    ),
    r.stderr,
  );
  assert.match(
    r.stderr,
    /Remove or rename that file\. Or choose another --journal, or run with --no-journal\./,
  );
});
