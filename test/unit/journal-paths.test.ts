import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { defaultJournalPath } from "../../src/listen/paths.js";

test("the default journal lives in certwh's config directory", () => {
  assert.equal(
    defaultJournalPath({ XDG_CONFIG_HOME: "/x/cfg", HOME: "/home/u" }),
    join("/x/cfg", "certwh", "journal.ndjson"),
  );
  assert.equal(
    defaultJournalPath({ HOME: "/home/u" }),
    join("/home/u", ".config", "certwh", "journal.ndjson"),
  );
  assert.equal(
    defaultJournalPath({ XDG_CONFIG_HOME: "", HOME: "/home/u" }),
    join("/home/u", ".config", "certwh", "journal.ndjson"),
  );
});
