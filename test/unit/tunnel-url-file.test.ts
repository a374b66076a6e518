import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { TunnelError, UsageError } from "../../src/errors.js";
import type { TunnelStatus } from "../../src/tunnel/tunnel.js";
import { createUrlFileTunnel } from "../../src/tunnel/url-file.js";
import { tempDir } from "../helpers/cli.js";
import { poll, sleep } from "../helpers/wait.js";

const fileWith = (text: string) => {
  const file = join(tempDir(), "url");
  writeFileSync(file, text);
  return file;
};

test("an empty file is a tunnel still starting: start() waits for the URL", async () => {
  const file = fileWith("");
  const tunnel = createUrlFileTunnel(file, { pollMs: 20, startTimeoutMs: 5000 });
  setTimeout(() => writeFileSync(file, "https://abc.example.com/prefix\n"), 100);
  const url = await tunnel.start(8080);
  assert.equal(url.href, "https://abc.example.com/prefix");
  await tunnel.close();
});

test("an empty file that stays empty ends in a TunnelError (exit 7)", async () => {
  const tunnel = createUrlFileTunnel(fileWith("  \n"), { pollMs: 20, startTimeoutMs: 100 });
  await assert.rejects(
    tunnel.start(8080),
    (err) => err instanceof TunnelError && /stayed empty/.test(err.message),
  );
});

test("a plain http URL that is not loopback is a usage error, as with --public-url", async () => {
  const tunnel = createUrlFileTunnel(fileWith("http://example.com\n"), { pollMs: 20 });
  await assert.rejects(tunnel.start(8080), UsageError);
});

test("a URL in the file without its scheme: the refusal names the file, not --public-url, and the URL meant", async () => {
  const file = fileWith("localhost:3000\n");
  const tunnel = createUrlFileTunnel(file, { pollMs: 20 });
  await assert.rejects(
    tunnel.start(8080),
    (e) =>
      e instanceof UsageError &&
      e.message === `The URL in ${file} must be a full http:// or https:// URL, not "localhost:3000".` &&
      e.hint === "Did you mean http://localhost:3000?",
  );
  await tunnel.close();
});

test("status follows the file: emptied → closed, new URL → connected with it, same URL → nothing", async () => {
  const file = fileWith("https://one.example.com\n");
  const tunnel = createUrlFileTunnel(file, { pollMs: 10 });
  const seen: TunnelStatus[] = [];
  tunnel.onStatus((s) => seen.push(s));
  await tunnel.start(8080);
  const waitFor = (n: number) => poll(() => seen.length >= n, { timeoutMs: 2000, intervalMs: 10 });
  writeFileSync(file, "");
  await waitFor(1);
  writeFileSync(file, "https://two.example.com\n");
  await waitFor(2);
  writeFileSync(file, "https://two.example.com\n");
  await sleep(60);
  await tunnel.close();
  assert.deepEqual(
    seen.map((s) => [s.state, s.url?.href]),
    [
      ["closed", undefined],
      ["connected", "https://two.example.com/"],
    ],
  );
});

test("garbage in the file is a drop that says why", async () => {
  const file = fileWith("https://one.example.com\n");
  const tunnel = createUrlFileTunnel(file, { pollMs: 10 });
  const seen: TunnelStatus[] = [];
  tunnel.onStatus((s) => seen.push(s));
  await tunnel.start(8080);
  writeFileSync(file, "ftp://not-a-tunnel\n");
  await poll(() => seen.length >= 1, { timeoutMs: 2000, intervalMs: 10 });
  await tunnel.close();
  assert.equal(seen[0]?.state, "closed");
  assert.match(seen[0]?.reason ?? "", /holds no usable URL/);
});
