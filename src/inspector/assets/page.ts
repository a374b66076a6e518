// The inspector's page: static markup only; app.js fills it from /events (no inline script, per the CSP).
// The empty data: icon (allowed by img-src) keeps the browser from asking for /favicon.ico, a 404.

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>certwh listen · inspector</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
<h1>certwh listen</h1>
<dl id="summary">
<dt>Webhook</dt><dd id="webhook-id">–</dd>
<dt>Public URL</dt><dd id="public-url">–</dd>
<dt>Status</dt><dd id="status">connecting…</dd>
</dl>
</header>
<main>
<section>
<h2>Stages</h2>
<ol id="stages"></ol>
</section>
<section>
<h2>Deliveries</h2>
<table id="deliveries">
<thead><tr><th>Time</th><th>Event</th><th>Order / certificate</th><th>Receiver answer</th><th>Forward</th></tr></thead>
<tbody></tbody>
</table>
</section>
</main>
</body>
</html>
`;
