import net from 'node:net';
import type { Subprocess } from 'bun';
import { children, freePort, LOG_LINES, pump } from './cluster.ts';

/** Answers whether a Redis server answers PING on `port`. */
export function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** A private `redis-server` (no persistence) on a free port that a test can stop and start again. */
export class RedisServer {
  private proc: Subprocess | null = null;
  readonly logs: string[] = [];

  private constructor(readonly port: number) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a redis-server on a free port. */
  static async start(): Promise<RedisServer> {
    const server = new RedisServer(freePort());
    await server.start();
    return server;
  }

  running() {
    return this.proc !== null;
  }

  /** (Re)starts the server on its port and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.proc) return;
    const proc = Bun.spawn(
      ['redis-server', '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
    );
    children.add(proc);
    this.proc = proc;
    const keep = (line: string) => {
      this.logs.push(line);
      if (this.logs.length > LOG_LINES) this.logs.shift();
    };
    void pump(proc.stdout, keep);
    void pump(proc.stderr, keep);
    void proc.exited.then(() => {
      children.delete(proc);
      if (this.proc === proc) this.proc = null;
    });
    const deadline = Date.now() + 20_000;
    while (!(await redisPing(this.port))) {
      if (!this.proc) throw new Error(`redis-server exited at start:\n${this.logs.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`redis-server not answering on ${this.port}:\n${this.logs.join('\n')}`);
      await Bun.sleep(20);
    }
  }

  /** Stops the server (SIGTERM; nothing is saved) and waits until it is gone. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    proc.kill('SIGTERM');
    const force = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await proc.exited;
    clearTimeout(force);
    this.proc = null;
  }
}
