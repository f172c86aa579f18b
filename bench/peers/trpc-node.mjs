// tRPC's own WebSocket adapter on Node.js: the baseline a tRPC user gets out of the box.
// `send` mutation publishes to an in-process EventEmitter; `onMessage` subscription relays a room.
// Every subscriber's frame is serialised separately by the adapter (that is what we compare against).
// Usage: node bench/peers/trpc-node.mjs <port>
import { createServer } from 'node:http';
import { EventEmitter, on } from 'node:events';
import { initTRPC } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { z } from 'zod';

const port = Number(process.argv[2] ?? process.env.PORT ?? 4002);
const t = initTRPC.create();
const bus = new EventEmitter();
bus.setMaxListeners(0); // thousands of subscribers per room is the point of the benchmark

const router = t.router({
  send: t.procedure.input(z.object({ room: z.string(), content: z.string().min(1).max(4000) })).mutation(({ input }) => {
    const msg = { type: 'message', room: input.room, content: input.content, created_at: new Date().toISOString() };
    bus.emit(input.room, msg);
    return msg;
  }),
  onMessage: t.procedure.input(z.object({ room: z.string() })).subscription(async function* ({ input, signal }) {
    for await (const [msg] of on(bus, input.room, { signal })) yield msg;
  }),
});

const http = createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  if (req.url === '/rss') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ rss: process.memoryUsage.rss() }));
  }
  res.statusCode = 426;
  res.end('upgrade required');
});
const wss = new WebSocketServer({ server: http });
applyWSSHandler({ wss, router, createContext: () => ({}) });

http.listen(port, '127.0.0.1', () => console.log(`ready trpc-node ${port}`));
process.on('SIGTERM', () => {
  wss.close();
  http.close();
  process.exit(0);
});
