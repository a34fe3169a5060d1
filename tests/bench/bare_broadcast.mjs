// The floor for the fan-out benchmark (tests/bench/server.mjs), in its own process as the
// engine is: a WebSocket server that, on `POST /send`, sends the request's body to every
// connected socket and answers. Prints its port.
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const http = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    for (const client of sockets.clients) client.send(body);
    res.end("{}");
  });
});
const sockets = new WebSocketServer({ server: http });
http.listen(0, "127.0.0.1", () => console.log(`port ${http.address().port}`));
