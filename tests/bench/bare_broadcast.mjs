// The floor for the sync benchmarks (tests/bench/server.mjs), in its own process as the
// engine is: a WebSocket server that, on `POST /send?bytes=N`, sends the request's body
// padded with spaces to N bytes (the engine's frame in the same round) to every connected
// socket, then answers. Prints its port.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const http = createServer((req, res) => {
  const bytes = Number(new URL(req.url, "http://localhost").searchParams.get("bytes") ?? 0);
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const frame = body.length < bytes ? body + " ".repeat(bytes - body.length) : body;
    for (const client of sockets.clients) client.send(frame);
    res.end("{}");
  });
});
const sockets = new WebSocketServer({ server: http });
http.listen(0, "127.0.0.1", () => console.log(`port ${http.address().port}`));
