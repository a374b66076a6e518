// Baseline for `certwh status --json`: the same single request with undici, the body printed on stdout.
import { request } from "undici";

const res = await request(`${process.env.CERTWH_BASE_URL}/webhook`, {
  headers: { "x-dc-devkey": process.env.CERTWH_API_KEY, accept: "application/json" },
});
const body = await res.body.text();
if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
process.stdout.write(`${body}\n`);
