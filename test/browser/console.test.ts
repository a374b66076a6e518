// The inspector's session pane and sandbox console in a real headless Chromium: the verification stages in
// human words with a live countdown while a challenge is open, the ready block, the status as the tunnel
// drops and listen stops; the page reports no error and no CSP violation.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEventFeed, startInspector } from "../../src/inspector/index.js";
import type { ListenEvent } from "../../src/listen/types.js";
import { activeWebhook } from "../helpers/active-webhook.js";
import { spawnCli } from "../helpers/cli.js";
import { openWatched, pageUntil } from "../helpers/page.js";

const ENDPOINT = "http://127.0.0.1:1/hook/abc";
const text = (id: string) => `document.getElementById(${JSON.stringify(id)}).textContent`;
const challenge = (attempt: number, inMs: number): ListenEvent => {
  const deadline = Date.now() + inMs;
  return {
    type: "state",
    stage: "challenge_sent",
    webhook_id: 7,
    endpoint: ENDPOINT,
    deadline: new Date(deadline).toISOString(),
    deadline_ms: deadline,
    attempt,
    max_attempts: 3,
  };
};

describe("the session pane", () => {
  test("stages in human words, a live countdown per open challenge, the ready block, tunnel and stop", async (t) => {
    const feed = createEventFeed();
    const inspector = await startInspector({ events: feed.subscribe, history: feed.history });
    t.after(() => inspector.close());
    feed.push({ type: "state", stage: "receiver_started", local_url: ENDPOINT });
    feed.push({ type: "state", stage: "tunnel_started", public_url: ENDPOINT, tunnel: "none" });
    feed.push({ type: "state", stage: "webhook_created", webhook_id: 7, endpoint: ENDPOINT, events: ["a"] });
    feed.push(challenge(1, 30 * 60_000));

    const { page, assertClean } = await openWatched(t, inspector.url);
    await pageUntil(
      page,
      `document.getElementById("challenge").dataset.state === "open"`,
      "an open challenge",
    );
    const first = await page.evaluate<string>(text("challenge"));
    assert.match(first, /^(30:00|29:5\d) left · attempt 1\/3$/);
    // Live: the same challenge, a second later, shows less time left (no event in between).
    await pageUntil(page, `${text("challenge")} !== ${JSON.stringify(first)}`, "the countdown ticking", 3000);
    assert.match(await page.evaluate<string>(text("challenge")), /^29:5\d left · attempt 1\/3$/);
    assert.equal(await page.evaluate<string>(text("status")), "verifying…");

    // An expiry stops it; the next challenge's countdown runs out on its own when its deadline passes.
    feed.push({ type: "state", stage: "token_expired", webhook_id: 7, resend: true });
    await pageUntil(page, `${text("challenge")} === "Expired: sending a new challenge"`, "the expiry");
    feed.push(challenge(2, 1500));
    await pageUntil(page, `${text("challenge")}.endsWith("left · attempt 2/3")`, "the second challenge");
    await pageUntil(
      page,
      `${text("challenge")} === "Expired: the token of attempt 2/3 was not used in time"`,
      "the countdown running out",
      5000,
    );

    feed.push(challenge(3, 30 * 60_000));
    feed.push({ type: "state", stage: "verified", webhook_id: 7 });
    feed.push({ type: "state", stage: "activated", webhook_id: 7 });
    feed.push({
      type: "ready",
      public_url: ENDPOINT,
      local_url: ENDPOINT,
      webhook_id: 7,
      status: "active",
      events: ["certificate_issued"],
      tunnel: "none",
      protections: { key_check: true, ip_allowlist: ["216.168.240.0/20"], source_check: "loopback only" },
      forward_to: "http://127.0.0.1:3000/a",
      forward_targets: ["http://127.0.0.1:3000/a", "http://127.0.0.1:3000/b"],
      journal: "/tmp/j.ndjson",
      on_exit: "deactivate",
      until: null,
    });
    await pageUntil(page, `${text("status")} === "active · listening"`, "the ready status");
    assert.equal(await page.evaluate(`document.getElementById("challenge").dataset.state`), "verified");
    assert.equal(await page.evaluate(text("challenge")), "Verified: the token arrived in time");
    assert.equal(
      await page.evaluate(text("protections")),
      "X-WEBHOOK-KEY checked · IP allowlist 216.168.240.0/20 · source check: loopback only",
    );
    assert.equal(
      await page.evaluate(text("forward-targets")),
      "http://127.0.0.1:3000/a\nhttp://127.0.0.1:3000/b",
    );
    assert.equal(await page.evaluate(text("journal")), "/tmp/j.ndjson");
    assert.equal(await page.evaluate(text("on-exit")), "deactivate");

    const titles = await page.locator("#stages li .stage-title").allTextContents();
    assert.deepEqual(titles, [
      "Receiver started",
      "Tunnel up",
      "Webhook created",
      "Challenge sent (attempt 1/3)",
      "Token expired",
      "Challenge sent (attempt 2/3)",
      "Challenge sent (attempt 3/3)",
      "Token received · Verified",
      "Activated",
      "Listening",
    ]);
    assert.match(
      (await page.locator("#stages li").nth(3).textContent()) ?? "",
      /^Challenge sent \(attempt 1\/3\) — token valid until .+ · http:\/\/127\.0\.0\.1:1\/hook\/abc$/,
    );

    feed.push({ type: "tunnel_down", at: new Date().toISOString(), grace_ms: 60_000 });
    await pageUntil(page, `${text("status")}.startsWith("tunnel down since ")`, "the tunnel down");
    feed.push({ type: "tunnel_up", at: new Date().toISOString(), url_changed: false });
    await pageUntil(page, `${text("status")} === "active · listening"`, "the tunnel back");

    feed.push({ type: "state", stage: "stopping", reason: "interrupted" });
    feed.push({
      type: "state",
      stage: "on_exit",
      action: "deactivate",
      outcome: "done",
      webhook_id: 7,
      message: "Deactivated webhook 7.",
    });
    await pageUntil(page, `${text("status")} === "stopped"`, "the stop");
    assert.equal(await page.evaluate(text("on-exit")), "deactivate: done — Deactivated webhook 7.");
    await assertClean();
  });
});

/** The events of the deliveries list's rendered rows (its contract: data-event on each row). */
const deliveryEvents = `[...document.querySelectorAll("#deliveries [data-event]")].map((r) => r.dataset.event)`;

describe("the sandbox console of listen --sandbox", () => {
  test("the stages in order with the challenge's outcome, the active webhook, and a button that sends an event listen shows", async (t) => {
    const l = spawnCli(t, ["listen", "--sandbox", "--json", "--no-journal"]);
    // Generous: on a busy machine, listen and Chromium start side by side.
    const ready = await l.line((x) => x.type === "ready", 30_000);
    const stagesBeforeReady = l.lines
      .slice(0, l.lines.indexOf(ready))
      .filter((x) => x.type === "state")
      .map((x) => String(x.stage));
    const { page, assertClean } = await openWatched(t, String(ready.inspector_url));

    await pageUntil(page, `${text("status")}.endsWith("listening")`, "the ready status", 10_000);
    const stages = await page.evaluate<string[]>(
      `[...document.querySelectorAll("#stages li")].map((li) => li.dataset.stage)`,
    );
    assert.deepEqual(stages, [...stagesBeforeReady, "ready"]);
    const titles = await page.locator("#stages li .stage-title").allTextContents();
    const order = ["Challenge sent (attempt 1/3)", "Token received · Verified", "Activated", "Listening"];
    assert.deepEqual(
      titles.filter((x) => order.includes(x)),
      order,
      titles.join(" / "),
    );
    // The challenge was answered within milliseconds: its countdown started and stopped at "verified".
    assert.equal(await page.evaluate(`document.getElementById("challenge").dataset.state`), "verified");
    assert.match(
      (await page.locator('#stages li[data-stage="challenge_sent"]').textContent()) ?? "",
      /— token valid until /,
    );

    // The console pane shows the sandbox's webhook: the one listen made, active, pointing at listen.
    assert.equal(await page.isVisible("#console-pane"), true);
    await pageUntil(page, `${text("console-status")} === "active"`, "the webhook as active");
    assert.equal(await page.evaluate(text("console-webhook-id")), String(ready.webhook_id));
    assert.equal(await page.evaluate(text("console-endpoint")), String(ready.public_url));
    assert.match(String(await page.evaluate(text("console-events"))), /certificate_revoked/);

    // A button sends the event through the sandbox; listen receives it and the deliveries pane shows it,
    // without a reload.
    await page.evaluate("window.__sameDocument = true");
    await page.click('#console-triggers button[data-event="certificate_revoked"]');
    await pageUntil(
      page,
      `${deliveryEvents}.includes("certificate_revoked")`,
      "the triggered delivery",
      5000,
    );
    await pageUntil(
      page,
      `/^certificate_revoked → .+: 200 ok/.test(${text("console-result")})`,
      "what the sandbox delivered",
      5000,
    );
    await pageUntil(
      page,
      `[...document.querySelectorAll("#console-deliveries tbody tr")].some((tr) => tr.cells[2].textContent === "certificate_revoked")`,
      "the delivery in the console's list",
      5000,
    );
    assert.equal(await page.evaluate("window.__sameDocument"), true, "the page was not reloaded");
    const html = await page.evaluate<string>("document.documentElement.outerHTML");
    assert.ok(!html.includes(String(ready.sandbox_api_key)), "the sandbox's API key is not on the page");
    await assertClean();

    l.child.kill("SIGINT");
    assert.equal((await l.exit).code, 130, l.stderr());
  });
});

describe("certwh sandbox --ui", () => {
  test("the page shows the console only: no webhook yet, then the active webhook and buttons that send", async (t) => {
    const s = spawnCli(t, ["sandbox", "--ui", "--json"]);
    const started = await s.line((x) => typeof x.inspector_url === "string", 30_000);
    assert.match(String(started.inspector_url), /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    await s.stderrIncludes(`Console: open ${String(started.inspector_url)}`, 5000);
    const { page, assertClean } = await openWatched(t, String(started.inspector_url));

    await pageUntil(page, `${text("console-note")}.startsWith("No webhook yet")`, "that there is no webhook");
    assert.equal(await page.isVisible("#console-pane"), true);
    assert.equal(await page.isHidden("#session"), true, "no listen session: its pane is hidden");
    assert.equal(await page.isHidden("#deliveries-pane"), true, "no receiver: its deliveries pane is hidden");
    assert.equal(await page.isHidden("#console-triggers"), true, "nothing to send to yet");
    assert.equal(await page.textContent("#title"), "certwh sandbox");

    // A webhook made over the sandbox's API (as listen or `certwh create` would) appears without a reload.
    await page.evaluate("window.__sameDocument = true");
    const { rx } = await activeWebhook(
      { url: String(started.base_url), apiKey: String(started.api_key) },
      t,
      {
        events: ["certificate_issued", "certificate_revoked"],
      },
    );
    await pageUntil(page, `${text("console-status")} === "active"`, "the active webhook", 10_000);
    assert.equal(await page.evaluate(text("console-endpoint")), rx.url);
    assert.equal(await page.isDisabled('#console-triggers button[data-event="order_rejected"]'), true);

    const before = rx.received.length;
    await page.click('#console-triggers button[data-event="certificate_issued"]');
    await pageUntil(
      page,
      `/^certificate_issued → .+: 200 ok/.test(${text("console-result")})`,
      "what the sandbox delivered",
      5000,
    );
    const sent = (await rx.waitFor(before + 1, 5000)).at(-1)?.json as { event?: string } | undefined;
    assert.equal(sent?.event, "certificate_issued");
    assert.equal(await page.evaluate("window.__sameDocument"), true, "the page was not reloaded");
    await assertClean();

    s.child.kill("SIGINT");
    assert.equal((await s.exit).code, 130, s.stderr());
    assert.match(s.stderr(), /Sandbox stopped: interrupted by SIGINT\./);
  });
});
