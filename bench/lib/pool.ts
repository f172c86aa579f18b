// Coordinator side of the load generator: spawns worker processes, hands each a slice of the
// connections, and merges their per-step counters and histograms.
import type { Subprocess } from 'bun';
import { mergeHist, newHist, unpackHist } from './histogram.ts';
import type { ProtocolName } from './protocols.ts';
import type { ConnSpec } from './worker.ts';

const WORKER = new URL('./worker.ts', import.meta.url).pathname;

export type Merged = {
  recv: number;
  hist: number[];
  first: number;
  last: number;
  sent: number;
  acked: number;
  ackHist: number[];
  errors: number;
  totalRecv: number;
  closed: number;
  open: number;
  inflight: number;
  skipped: number;
  cpuMs: number;
  error: string;
};

type Pending = { res: (v: any) => void; rej: (e: Error) => void };

class WorkerProc {
  private rid = 0;
  private waiting = new Map<number, Pending>();
  readonly proc: Subprocess;
  senders = 0;

  constructor(readonly index: number) {
    this.proc = Bun.spawn([process.execPath, WORKER], {
      stdio: ['ignore', 'inherit', 'inherit'],
      serialization: 'json',
      ipc: (m: { rid: number; res?: unknown; err?: string }) => {
        const p = this.waiting.get(m.rid);
        if (!p) return;
        this.waiting.delete(m.rid);
        if (m.err) p.rej(new Error(`worker ${index}: ${m.err}`));
        else p.res(m.res);
      },
    });
  }

  call<T = any>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const rid = ++this.rid;
    return new Promise<T>((res, rej) => {
      this.waiting.set(rid, { res, rej });
      this.proc.send({ rid, cmd, ...args });
    });
  }
}

/**
 * A set of workers. Worker 0 holds every sender (so receiving load never delays the send clock);
 * subscribers are spread over workers 1..n-1 (or all of them when there is only one).
 */
export class Pool {
  readonly workers: WorkerProc[];

  constructor(n: number) {
    this.workers = Array.from({ length: Math.max(2, n) }, (_, i) => new WorkerProc(i));
  }

  async init(opts: { protocol: ProtocolName; host: string; port: number; tokens?: string[]; maxInflight?: number }) {
    await Promise.all(this.workers.map((w) => w.call('init', opts)));
  }

  private receivers(): WorkerProc[] {
    return this.workers.slice(1);
  }

  /** Connects senders on worker 0 and subscribers round-robin over the others. */
  async connect(specs: ConnSpec[], concurrency = 200, timeoutMs = 60000) {
    const slices: ConnSpec[][] = this.workers.map(() => []);
    const recv = this.receivers();
    let k = 0;
    for (const s of specs) {
      if (s.r === 'send') slices[0]!.push(s);
      else slices[recv[k++ % recv.length]!.index]!.push(s);
    }
    this.workers[0]!.senders += slices[0]!.length;
    const results = await Promise.all(
      this.workers.map((w, i) => (slices[i]!.length ? w.call('connect', { conns: slices[i], concurrency, timeoutMs }) : null)),
    );
    const live = results.filter(Boolean) as { ok: number; failed: number; ms: number; error: string }[];
    return {
      ok: live.reduce((a, r) => a + r.ok, 0),
      failed: live.reduce((a, r) => a + r.failed, 0),
      ms: Math.max(0, ...live.map((r) => r.ms)),
      error: live.map((r) => r.error).find(Boolean) ?? '',
    };
  }

  /** Reopens connections the server closed (e.g. slow-reader disconnects after a saturated step). */
  async reconnect(concurrency = 200) {
    const r = await Promise.all(this.workers.map((w) => w.call('reconnect', { concurrency })));
    return { dead: r.reduce((a, x) => a + x.dead, 0), ok: r.reduce((a, x) => a + x.ok, 0) };
  }

  /** Sets the total open-loop send rate (messages/s) for `step`; 0 stops sending. */
  async setRate(step: number, rate: number) {
    await this.workers[0]!.call('rate', { step, rate });
  }

  async closedLoop(step: number, window: number) {
    await this.workers[0]!.call('closedLoop', { step, window });
  }

  /** Sends `count` messages of `step` from the first sender as fast as its socket takes them; resolves with the first send time (ms). */
  async burst(step: number, count: number): Promise<{ t0: number }> {
    return this.workers[0]!.call('burst', { step, count });
  }

  async stopClosedLoop() {
    await this.workers[0]!.call('stopClosedLoop');
  }

  /** Merged counters for one step, plus whole-run gauges. */
  async stats(step: number): Promise<Merged> {
    const all = await Promise.all(this.workers.map((w) => w.call('stats', { step })));
    const m: Merged = {
      recv: 0,
      hist: newHist(),
      first: 0,
      last: 0,
      sent: 0,
      acked: 0,
      ackHist: newHist(),
      errors: 0,
      totalRecv: 0,
      closed: 0,
      open: 0,
      inflight: 0,
      skipped: 0,
      cpuMs: 0,
      error: '',
    };
    for (const s of all) {
      m.recv += s.recv;
      unpackHist(s.hist, m.hist);
      mergeHist(m.ackHist, unpackHist(s.ackHist));
      if (s.first && (!m.first || s.first < m.first)) m.first = s.first;
      m.last = Math.max(m.last, s.last);
      m.sent += s.sent;
      m.acked += s.acked;
      m.errors += s.errors;
      m.totalRecv += s.totalRecv;
      m.closed += s.closed;
      m.open += s.open;
      m.inflight += s.inflight;
      m.skipped += s.skipped;
      m.cpuMs += s.cpuMs;
      m.error ||= s.error;
    }
    return m;
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.call('close').catch(() => null)));
    await Bun.sleep(200);
    for (const w of this.workers) w.proc.kill();
    await Promise.all(this.workers.map((w) => w.proc.exited));
  }
}
