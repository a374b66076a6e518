// A page of the inspector in a real Chromium, watched for the faults a test must fail on: CSP violations
// (recorded by a script that runs before the page's own) and console or page errors. Every wait is bounded.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { Page } from "playwright-core";
import { launchChromium } from "./browser.js";

/** Records CSP violations in the page before any of its own script runs (the page's CSP does not apply here). */
const RECORD_CSP = `window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`;

export interface WatchedPage {
  page: Page;
  /** Fails when the page reported a CSP violation, a console error or warning, or an uncaught error. */
  assertClean(): Promise<void>;
}

/** Opens `url` (the printed one, token included) in a fresh browser context. */
export async function openWatched(t: TestContext, url: string): Promise<WatchedPage> {
  const browser = await launchChromium(t);
  const page = await (await browser.newContext()).newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning")
      problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript({ content: RECORD_CSP });
  const opened = await page.goto(url);
  assert.equal(opened?.status(), 200);
  return {
    page,
    async assertClean() {
      assert.deepEqual(await page.evaluate("window.__csp"), [], "no CSP violation");
      assert.deepEqual(problems, [], "no console error or page error");
    },
  };
}

/**
 * Waits (bounded) until `expression`, evaluated in the page, is truthy; returns its value. It polls with
 * page.evaluate: waitForFunction's retries run the expression through eval, which the page's CSP forbids.
 */
export async function pageUntil<T = unknown>(
  page: Page,
  expression: string,
  what: string,
  timeout = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    last = await page.evaluate(expression);
    if (last) return last as T;
    if (Date.now() > deadline)
      throw new Error(`the page did not show ${what} within ${timeout} ms (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
