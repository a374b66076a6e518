// Escaping text from the network or a file before it reaches a terminal, in the output layer too.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChalkConstructor } from "../../src/io/output.js";
import { jsonTerminalSafe, printable, terminalText } from "../../src/util/printable.js";
import { captureOutput } from "../helpers/capture.js";

const HOSTILE =
  "a\u001b]0;title\u0007b\u001b[2J\r\n\tc\u0085d\u202ee\u2066f\u200bg\u00adh\u2028i\u2029j\u{e0041}k\u007f";

test("printable escapes C0, DEL, C1, format characters and line separators, line breaks included", () => {
  assert.equal(
    printable(HOSTILE),
    "a\\u001b]0;title\\u0007b\\u001b[2J\\u000d\\u000a\\u0009c\\u0085d\\u202ee\\u2066f\\u200bg\\u00adh\\u2028i\\u2029j\\u{e0041}k\\u007f",
  );
  assert.equal(printable("plain text, ünïcödé, ✓ → 日本"), "plain text, ünïcödé, ✓ → 日本");
});

test("terminalText keeps line feeds and tabs for certwh's own layout and escapes the rest", () => {
  assert.equal(terminalText("one\n\ttwo\u001b[2J\u202e"), "one\n\ttwo\\u001b[2J\\u202e");
  assert.equal(terminalText("carriage\rreturn"), "carriage\\u000dreturn");
});

test("jsonTerminalSafe writes the characters as JSON escapes: the value parses back exactly", () => {
  const value = { s: HOSTILE, n: 1, list: ["\u202e", "\u{e0041}"] };
  const text = jsonTerminalSafe(JSON.stringify(value));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them raw is the point.
  assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f\u200b\u202e\u2066\u2028\u2029]/);
  assert.doesNotMatch(text, /\u{e0041}/u);
  assert.deepEqual(JSON.parse(text), value);
});

test("--json in a terminal: the pretty-printed document keeps its line breaks and parses back exactly", () => {
  const value = { endpoint: HOSTILE, events: ["certificate_issued"], settings: { n: 1 } };
  const { io, stdout } = captureOutput({ json: true, tty: true });
  io.writeJson(value);
  io.revealResult(value, [], "");
  const [first, second] = stdout.writes;
  for (const text of [first, second]) {
    assert.ok(text?.startsWith('{\n  "endpoint": "a\\u001b]0;title'), text);
    assert.deepEqual(JSON.parse(text ?? ""), value);
  }
});

test("Output escapes every human line and keeps its own colours; JSON stays exact", () => {
  // A chalk stand-in that marks its styles with a real escape sequence.
  const FakeChalk = class {
    green = (t: string) => `\u001b[32m${t}\u001b[39m`;
    yellow = (t: string) => `\u001b[33m${t}\u001b[39m`;
    red = (t: string) => `\u001b[31m${t}\u001b[39m`;
    dim = (t: string) => `\u001b[2m${t}\u001b[22m`;
  } as unknown as ChalkConstructor;
  const { io, stdout, stderr } = captureOutput({ tty: true, color: true, chalk: FakeChalk, verbose: true });
  io.warn(`endpoint ${HOSTILE}`);
  io.error("bad\u001b]0;x\u0007");
  io.hint("\u202ehint");
  io.info("two\nlines");
  io.debug("trace\u001b[2J");
  io.live("live\u001b[2J");
  io.print("data\u001b[2J\u2066");
  const err = stderr.text();
  assert.ok(err.includes("\u001b[33m!\u001b[39m endpoint a\\u001b]0;title\\u0007b"), err);
  assert.ok(err.includes("\u001b[31m✗\u001b[39m bad\\u001b]0;x\\u0007"), err);
  assert.ok(
    err.includes("\\u202ehint") && err.includes("two\nlines") && err.includes("trace\\u001b[2J"),
    err,
  );
  assert.ok(err.includes("live\\u001b[2J"), err);
  assert.equal(stdout.text(), "data\\u001b[2J\\u2066\n");
  // The only escape sequences left on stderr are certwh's own: colours, and the live line's \r\x1b[2K.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: certwh's own sequences are removed to find others.
  const own = err.replace(/\x1b\[(?:\d+m|2K)/g, "");
  assert.ok(!own.includes("\u001b"), own);

  const json = captureOutput({ json: true });
  json.io.writeJson({ endpoint: HOSTILE });
  assert.equal((JSON.parse(json.stdout.text()) as { endpoint: string }).endpoint, HOSTILE);
  assert.ok(!json.stdout.text().includes("\u202e"));
});

test("TERM=dumb: the live line is printed as plain lines (no cursor codes)", () => {
  const { io, stderr } = captureOutput({ tty: true, dumbTerminal: true });
  assert.equal(io.inPlace, false);
  io.live("29:59 left");
  io.live("29:58 left");
  io.clearLive();
  assert.equal(stderr.text(), "29:59 left\n29:58 left\n");
  const tty = captureOutput({ tty: true });
  tty.io.live("29:59 left");
  assert.equal(tty.stderr.text(), "\r\u001b[2K29:59 left", "an ordinary terminal still updates in place");
});
