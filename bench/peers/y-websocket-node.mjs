// The reference server of y-websocket@1.5 (bin/utils.js setupWSConnection) on Node with `ws`:
// in-memory documents, no persistence, no auth. The peer for bench/docs.ts.
import http from 'node:http';
import { WebSocketServer } from 'ws';
import utils from 'y-websocket-v1/bin/utils';

const port = Number(process.env.PORT ?? 1234);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (conn, req) => utils.setupWSConnection(conn, req, { gc: true }));
server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
server.listen(port, '127.0.0.1', () => console.log(`y-websocket@1.5 listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
