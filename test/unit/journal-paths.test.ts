import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { defaultJournalPath, formerJournalPath, moveFormerJournal } from "../../src/listen/paths.js";
import { tempDir } from "../helpers/cli.js";

test("the default journal lives in certwh's state directory", () => {
  assert.equal(
    defaultJournalPath({ XDG_STATE_HOME: "/x/state", XDG_CONFIG_HOME: "/x/cfg", HOME: "/home/u" }),
    join("/x/state", "certwh", "journal.ndjson"),
  );
  assert.equal(
    defaultJournalPath({ HOME: "/home/u" }),
    join("/home/u", ".local", "state", "certwh", "journal.ndjson"),
  );
  assert.equal(
    defaultJournalPath({ XDG_STATE_HOME: "", HOME: "/home/u" }, "sandbox"),
    join("/home/u", ".local", "state", "certwh", "sandbox-journal.ndjson"),
  );
  assert.equal(
    formerJournalPath({ XDG_CONFIG_HOME: "/x/cfg", HOME: "/home/u" }),
    join("/x/cfg", "certwh", "journal.ndjson"),
  );
});

test("a journal at the former default is moved once; one already at the new place is never overwritten", async () => {
  const home = tempDir();
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, "cfg") };
  mkdirSync(join(home, "cfg", "certwh"), { recursive: true });
  writeFileSync(formerJournalPath(env), "old\n");
  assert.deepEqual(await moveFormerJournal(env), {
    from: formerJournalPath(env),
    to: defaultJournalPath(env),
  });
  assert.equal(readFileSync(defaultJournalPath(env), "utf8"), "old\n");
  assert.equal(existsSync(formerJournalPath(env)), false);
  assert.equal(await moveFormerJournal(env), undefined, "nothing left to move");

  writeFileSync(formerJournalPath(env), "older\n");
  assert.equal(await moveFormerJournal(env), undefined);
  assert.equal(readFileSync(defaultJournalPath(env), "utf8"), "old\n");
  assert.equal(readFileSync(formerJournalPath(env), "utf8"), "older\n");
});

test("a journal moved from the former default ends up 0600, like every journal", async () => {
  const home = tempDir();
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, "cfg"), XDG_STATE_HOME: join(home, "state") };
  mkdirSync(join(home, "cfg", "certwh"), { recursive: true });
  for (const kind of ["account", "sandbox"] as const) {
    writeFileSync(formerJournalPath(env, kind), "old\n");
    chmodSync(formerJournalPath(env, kind), 0o644);
    assert.ok(await moveFormerJournal(env, kind), kind);
    assert.equal(statSync(defaultJournalPath(env, kind)).mode & 0o777, 0o600, kind);
  }
});
