// A journal that stops taking writes in the middle of a session, through the built CLI: the process's
// file-size limit (`ulimit -f`, RLIMIT_FSIZE; Node ignores SIGXFSZ, so the write fails with EFBIG) stands in
// for a full disk. The event that could not be written is not acknowledged, listen stops with exit 2 naming
// the journal and the cause, and every event answered 200 is in the journal (the exit line's replay names it).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BIN, cliEnv, tempDir, watch } from "../helpers/cli.js";
import { eventBody, orderIdOf } from "./listen-support.js";

/** 16 blocks of 512 bytes: room for the handshake's entries and a few events. */
const SIZE_LIMIT_BLOCKS = 16;
const MAX_EVENTS = 100;

test("a journal write that fails mid-session: that event is refused, listen exits 2, every 200 is on disk", async (t) => {
  const home = tempDir("certwh-journal-full-");
  const journal = join(home, "journal.ndjson");
  const secret = randomBytes(32).toString("base64url");
  const listen = [BIN, "listen", "--sandbox", "--json", "--secret-env", "FULL_SECRET", "--journal", journal];
  const run = watch(
    "sh",
    ["-c", `ulimit -f ${SIZE_LIMIT_BLOCKS} && exec "$0" "$@"`, process.execPath, ...listen],
    { env: cliEnv({ FULL_SECRET: secret }, home), killAfterMs: 60_000 },
    t,
  );
  const ready = await run.line((l) => l.type === "ready", 20_000);
  const hook = new URL(String(ready.local_url));

  const acknowledged: number[] = [];
  let refused: number | undefined;
  for (let order = 1; order <= MAX_EVENTS && refused === undefined; order++) {
    const res = await fetch(hook, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-key": secret },
      body: eventBody(order),
    }).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.status === 200) acknowledged.push(order);
    else refused = res?.status ?? 0;
  }
  assert.ok(refused !== undefined, `the journal never filled up in ${MAX_EVENTS} events`);
  assert.ok(refused === 0 || refused >= 500, `the unwritten event is not acknowledged (got ${refused})`);
  assert.ok(acknowledged.length > 0, "some events fit before the limit");

  const exit = await run.exit;
  assert.equal(exit.code, 2, run.stderr());
  assert.match(run.stderr(), /Could not write the journal .*journal\.ndjson: the file is too large/);
  const error = run.lines.at(-1);
  assert.equal(error?.type, "error", JSON.stringify(error));
  // listen's usual exit line: where this session's events are, and the replay that delivers them again.
  const first = run.lines.find((l) => l.type === "event" && l.event === "certificate_issued");
  assert.ok(first, run.stdout());
  const exitLine =
    /What arrived in this session is in (\S+): `certwh replay --journal (\S+) --to <url> --secret-env FULL_SECRET --since (\S+)` delivers it again\./.exec(
      run.stderr(),
    );
  assert.ok(exitLine, run.stderr());
  assert.equal(exitLine[1], journal);
  assert.equal(exitLine[2], journal);
  assert.equal(exitLine[3], first.received_at);

  // Nothing answered 200 is lost: each acknowledged order id is a whole line of the journal.
  const written = readFileSync(journal, "utf8")
    .split("\n")
    .flatMap((line) => {
      try {
        return [orderIdOf(String((JSON.parse(line) as { body?: string }).body))];
      } catch {
        return []; // the torn last line of the refused event
      }
    });
  for (const order of acknowledged) assert.ok(written.includes(order), `order ${order} is in the journal`);
});
