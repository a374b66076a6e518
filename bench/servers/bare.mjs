// Baseline for the receiver benchmark: a bare node:http server that reads the body and answers 200.
// Prints {"url": …} on stdout once it listens.
import { createServer } from "node:http";

const server = createServer((req, res) => {
  req.on("data", () => undefined);
  req.on("end", () => {
    res.statusCode = 200;
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end("ok\n");
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}/hook` })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
