import net from 'node:net';
import { Collector } from './events.ts';

/**
 * A WebSocket client written directly on a TCP socket (RFC 6455 handshake and framing by hand),
 * so a test can stop reading from the kernel (`pause()`) and play a stalled reader.
 * Text frames are collected verbatim; pings are answered; a close frame is recorded.
 */
export class TcpWebSocket {
  readonly frames = new Collector<string>();
  readonly closed: Promise<void>;
  closeCode: number | null = null;
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private upgraded = false;
  private onUpgrade: (error?: Error) => void = () => {};
  private readonly upgrade = new Promise<void>((resolve, reject) => {
    this.onUpgrade = (error) => (error ? reject(error) : resolve());
  });

  private constructor(private readonly socket: net.Socket) {
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
  }

  /** Connects to ws://host:port/path and completes the opening handshake. */
  static async connect(url: string): Promise<TcpWebSocket> {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname);
    const client = new TcpWebSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
    socket.write(
      `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await client.upgrade;
    return client;
  }

  /** Sends one masked text frame. */
  send(text: string) {
    const payload = Buffer.from(text);
    const mask = Buffer.from(crypto.getRandomValues(new Uint8Array(4)));
    const len = payload.length;
    const header = len < 126 ? Buffer.from([0x81, 0x80 | len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (len >= 126 && len < 65536) {
      header[0] = 0x81;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(len, 2);
    } else if (len >= 65536) {
      header[0] = 0x81;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(len), 2);
    }
    for (let i = 0; i < len; i++) payload[i]! ^= mask[i % 4]!;
    this.socket.write(Buffer.concat([header, mask, payload]));
  }

  /** Stops reading from the TCP socket: the server's sends back up. */
  pause() {
    this.socket.pause();
  }

  resume() {
    this.socket.resume();
  }

  close() {
    this.socket.destroy();
  }

  private parse() {
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString();
      if (!/^HTTP\/1\.1 101/.test(head)) return this.onUpgrade(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      this.buffer = this.buffer.subarray(end + 4);
      this.upgraded = true;
      this.onUpgrade();
    }
    for (;;) {
      if (this.buffer.length < 2) return;
      const b0 = this.buffer[0]!;
      const b1 = this.buffer[1]!;
      let len = b1 & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + len) return;
      const payload = this.buffer.subarray(offset, offset + len);
      this.buffer = this.buffer.subarray(offset + len);
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (opcode === 0x8) this.closeCode = len >= 2 ? payload.readUInt16BE(0) : 1005;
      else if (opcode === 0x9) this.control(0xa, payload);
      else if (opcode === 0x1 || opcode === 0x0) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.frames.push(text);
        }
      }
    }
  }

  private control(opcode: number, payload: Buffer) {
    const mask = Buffer.from(crypto.getRandomValues(new Uint8Array(4)));
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
    this.socket.write(Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | body.length]), mask, body]));
  }
}
