// Raw limit peer: what Bun itself can fan out when the server does no per-subscriber work.
// Protocol (JSON text frames):
//   client -> {"join":"<room>"}                  subscribe; server replies {"type":"joined","room":...}
//   client -> {"room":"<room>","content":"..."}  publish; the server builds the outgoing frame once
//                                                and hands it to the native server.publish (C++ fan-out)
// GET /healthz -> ok, GET /rss -> {"rss":bytes} so the harness can compare memory.
const port = Number(process.argv[2] ?? process.env.PORT ?? 4001);

type Conn = { room: string | null };

const server = Bun.serve<Conn, never>({
  port,
  hostname: '127.0.0.1',
  fetch(req, srv) {
    const url = new URL(req.url);
    if (url.pathname === '/healthz') return new Response('ok');
    if (url.pathname === '/rss') return Response.json({ rss: process.memoryUsage.rss() });
    if (srv.upgrade(req, { data: { room: null } })) return undefined;
    return new Response('upgrade required', { status: 426 });
  },
  websocket: {
    // Same bounded backpressure policy the architecture asks of Parley, so the comparison is fair.
    backpressureLimit: 4 * 1024 * 1024,
    closeOnBackpressureLimit: true,
    idleTimeout: 0,
    message(ws, raw) {
      let msg: { join?: string; room?: string; content?: string };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.send('{"type":"error","message":"bad json"}');
        return;
      }
      if (typeof msg.join === 'string') {
        ws.subscribe(msg.join);
        ws.data.room = msg.join;
        ws.send(JSON.stringify({ type: 'joined', room: msg.join }));
        return;
      }
      if (typeof msg.room === 'string' && typeof msg.content === 'string') {
        const frame = JSON.stringify({
          type: 'message',
          room: msg.room,
          content: msg.content,
          created_at: new Date().toISOString(),
        });
        server.publish(msg.room, frame);
      }
    },
  },
});

console.log(`ready raw-bun ${server.port}`);
process.on('SIGTERM', () => {
  server.stop(true);
  process.exit(0);
});
