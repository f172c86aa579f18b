// A minimal WebSocket client over Bun's TCP sockets. Why not `new WebSocket()`: the load generator
// shares 2 cores with the server, and a native data callback per TCP chunk (many frames) plus a
// byte-level frame scan is several times cheaper than one MessageEvent and one string per frame.
// Only what the benchmark needs: text frames, ping/pong, close; client frames use a zero mask key
// (legal framing; servers unmask by XOR), so payload bytes are written unchanged.
import type { Socket } from 'bun';

export interface FrameSink {
  /** Called after the 101 response; the connection may send from here on. */
  onOpen(c: WsConn): void;
  /** One complete frame payload buf[start, end). `buf` is only valid during the call. */
  onFrame(c: WsConn, buf: Buffer, start: number, end: number, opcode: number): void;
  onClose(c: WsConn, why: string): void;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** Encodes a masked (zero key) client text frame. */
export function encodeText(s: string, opcode = 0x1): Buffer {
  const len = Buffer.byteLength(s);
  const hdr = len < 126 ? 6 : len < 65536 ? 8 : 14;
  const b = Buffer.allocUnsafe(hdr + len);
  b[0] = 0x80 | opcode;
  if (len < 126) b[1] = 0x80 | len;
  else if (len < 65536) {
    b[1] = 0x80 | 126;
    b.writeUInt16BE(len, 2);
  } else {
    b[1] = 0x80 | 127;
    b.writeUInt32BE(0, 2);
    b.writeUInt32BE(len, 6);
  }
  b.writeUInt32BE(0, hdr - 4);
  b.write(s, hdr);
  return b;
}

export class WsConn {
  socket: Socket<WsConn> | null = null;
  open = false;
  closed = false;
  private upgraded = false;
  private rest: Buffer | null = null; // bytes of an incomplete frame (or handshake) carried over
  private queue: Buffer[] = []; // unwritten bytes waiting for `drain`
  /** Free slot for the protocol layer's per-connection state. */
  state: any = null;
  /** Receiver's cached marker position within the current chunk (-2 = not searched yet). */
  mark = -2;

  constructor(
    readonly sink: FrameSink,
    readonly tag: number,
  ) {}

  sendText(s: string): boolean {
    return this.write(encodeText(s));
  }

  /** Writes bytes; returns false if they had to be queued behind TCP backpressure. */
  write(b: Buffer): boolean {
    const s = this.socket;
    if (!s || this.closed) return false;
    if (this.queue.length) {
      this.queue.push(b);
      return false;
    }
    const n = s.write(b);
    if (n < b.length) {
      this.queue.push(n > 0 ? b.subarray(n) : b);
      return false;
    }
    return true;
  }

  get backlogged(): boolean {
    return this.queue.length > 0;
  }

  flush(): void {
    const s = this.socket;
    while (s && this.queue.length) {
      const b = this.queue[0]!;
      const n = s.write(b);
      if (n < b.length) {
        this.queue[0] = b.subarray(Math.max(0, n));
        return;
      }
      this.queue.shift();
    }
  }

  close(): void {
    if (this.closed) return;
    this.socket?.end();
  }

  /** Feeds received bytes: first the HTTP 101 response, then frames. */
  feed(chunk: Buffer): void {
    let buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    this.mark = -2;
    let off = 0;
    if (!this.upgraded) {
      const e = buf.indexOf(CRLF2);
      if (e < 0) {
        this.rest = Buffer.from(buf);
        return;
      }
      const status = buf.toString('latin1', 0, Math.min(e, 64));
      if (!/^HTTP\/1\.1 101/.test(status)) {
        this.fail(`handshake: ${status.split('\r\n')[0]}`);
        return;
      }
      this.upgraded = true;
      this.open = true;
      off = e + 4;
      this.sink.onOpen(this);
    }
    const n = buf.length;
    while (off + 2 <= n) {
      const b0 = buf[off]!;
      const b1 = buf[off + 1]!;
      let len = b1 & 0x7f;
      let p = off + 2;
      if (len === 126) {
        if (p + 2 > n) break;
        len = (buf[p]! << 8) | buf[p + 1]!;
        p += 2;
      } else if (len === 127) {
        if (p + 8 > n) break;
        len = buf.readUInt32BE(p + 4); // frames > 4 GB never happen here
        p += 8;
      }
      if (b1 & 0x80) p += 4; // servers must not mask, but skip a key if one is sent
      if (p + len > n) break;
      const op = b0 & 0x0f;
      if (op === 0x9) this.write(encodeText(buf.toString('latin1', p, p + len), 0xa));
      else if (op === 0x8) {
        this.write(encodeText('', 0x8));
        this.socket?.end();
      } else if (op !== 0xa) this.sink.onFrame(this, buf, p, p + len, op);
      off = p + len;
    }
    if (off < n) this.rest = Buffer.from(buf.subarray(off)); // copy: Bun reuses chunk memory
  }

  fail(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.socket?.terminate();
    this.sink.onClose(this, why);
  }

  onSocketClose(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.sink.onClose(this, why);
  }
}

/** Opens a TCP connection and sends the upgrade request for `path`. */
export async function connectWs(host: string, port: number, path: string, conn: WsConn): Promise<void> {
  const req =
    `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  conn.socket = await Bun.connect<WsConn>({
    hostname: host,
    port,
    data: conn,
    socket: {
      open(s) {
        s.data.socket = s; // frames may arrive before the connect promise resolves
        s.setNoDelay?.(true);
        s.write(req);
      },
      data(s, chunk) {
        s.data.feed(chunk as Buffer);
      },
      drain(s) {
        s.data.flush();
      },
      close(s) {
        s.data.onSocketClose('closed by peer');
      },
      error(s, err) {
        s.data.onSocketClose(`error: ${err.message}`);
      },
      connectError(s, err) {
        s.data.onSocketClose(`connect error: ${err.message}`);
      },
    },
  });
}
