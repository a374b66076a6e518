// Baseline for `certwh status --json`: the same single request with node:http alone (the floor for one
// request from Node), the body printed on stdout.
import { get } from "node:http";

const url = `${process.env.CERTWH_BASE_URL}/webhook`;
get(url, { headers: { "x-dc-devkey": process.env.CERTWH_API_KEY, accept: "application/json" } }, (res) => {
  let body = "";
  res.setEncoding("utf8");
  res.on("data", (chunk) => {
    body += chunk;
  });
  res.on("end", () => {
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    process.stdout.write(`${body}\n`);
  });
});
