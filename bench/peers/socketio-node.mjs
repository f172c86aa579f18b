// Socket.IO 4 rooms on Node.js: the common "just use Socket.IO" baseline.
// Events: `join` (room, ack) and `send` ({ room, content }); the server emits `message` to the room.
// Usage: node bench/peers/socketio-node.mjs <port>
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? process.env.PORT ?? 4003);

const http = createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  if (req.url === '/rss') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ rss: process.memoryUsage.rss() }));
  }
  // socket.io handles /socket.io/ itself; anything else is not ours.
  if (!req.url?.startsWith('/socket.io/')) {
    res.statusCode = 404;
    res.end();
  }
});
// Defaults otherwise (per-message deflate is off by default in v4); same 1 MB frame cap as default.
const io = new Server(http, { serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(String(room));
    if (typeof ack === 'function') ack('ok');
  });
  socket.on('send', (msg) => {
    if (!msg || typeof msg.room !== 'string' || typeof msg.content !== 'string') return;
    io.to(msg.room).emit('message', {
      type: 'message',
      room: msg.room,
      content: msg.content,
      created_at: new Date().toISOString(),
    });
  });
});

http.listen(port, '127.0.0.1', () => console.log(`ready socketio-node ${port}`));
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
