// Load-generator worker process. Holds a slice of the connections, sends on command, and counts
// deliveries and acks per step (the step id travels inside each payload, so late deliveries of an
// earlier step never pollute the current one). Talks to the coordinator over Bun IPC.
import { bucketOf, newHist, packHist } from './histogram.ts';
import { MARK, makeContent, nowMs, readStamp, type Stamp } from './payload.ts';
import { PROTOCOLS, type ConnState, type Protocol, type ProtocolName, type Role } from './protocols.ts';
import { connectWs, WsConn, type FrameSink } from './wsclient.ts';

/** A connection to open: role, room, user index (token), and the server port if not the pool's. */
export type ConnSpec = { r: Role; room: string; u?: number; port?: number };
export type StepStats = {
  recv: number;
  hist: number[];
  first: number;
  last: number;
  sent: number;
  acked: number;
  ackHist: number[];
  errors: number;
};

let proto: Protocol;
let host = '127.0.0.1';
let port = 0;
let tokens: string[] = [];
let firstError = '';
const conns: WsConn[] = [];
const senders: WsConn[] = [];
const steps = new Map<number, StepStats>();
let totalRecv = 0;
let closedCount = 0;
const stamp: Stamp = { step: 0, t: 0 };

function statsFor(step: number): StepStats {
  let s = steps.get(step);
  if (!s) {
    s = { recv: 0, hist: newHist(), first: 0, last: 0, sent: 0, acked: 0, ackHist: newHist(), errors: 0 };
    steps.set(step, s);
  }
  return s;
}

// Readiness callbacks of connections still being set up, keyed by connection tag.
const pending = new Map<number, (err: string | null) => void>();

const sink: FrameSink = {
  onOpen(c) {
    const st = c.state as ConnState;
    if (proto.open(c, st)) markReady(c, null);
  },
  onFrame(c, buf, start, end) {
    const st = c.state as ConnState;
    if (st.ready) {
      // Hot path: one native search per chunk finds the marker; reuse it for later frames.
      let m = c.mark;
      if (m === -2 || (m !== -1 && m < start)) m = c.mark = buf.indexOf(MARK, start);
      if (m >= 0 && m < end && readStamp(buf, m, end, stamp)) {
        const now = nowMs();
        const s = stamp.step === cachedStep ? cachedStats! : cache(stamp.step);
        if (st.role === 'sub') {
          s.recv++;
          totalRecv++;
          s.hist[bucketOf(now - stamp.t)]!++;
          if (s.first === 0) s.first = now;
          s.last = now;
        } else {
          s.acked++;
          st.inflight--;
          s.ackHist[bucketOf(now - stamp.t)]!++;
          if (closedLoop && closedLoop.step === stamp.step) sendOne(c, closedLoop.step);
        }
        return;
      }
      const err = proto.idle(c, buf.toString('utf8', start, end));
      if (err) {
        if (!firstError) firstError = err;
        statsFor(currentStep).errors++;
        if (st.role === 'send' && proto.acks) {
          st.inflight--;
          if (closedLoop) sendOne(c, closedLoop.step); // keep the lane alive after a failed send
        }
      }
      return;
    }
    const r = proto.setup(c, st, buf.toString('utf8', start, end));
    if (r === 'ready') markReady(c, null);
    else if (r) markReady(c, r);
  },
  onClose(c, why) {
    closedCount++;
    const st = c.state as ConnState;
    st.ready = false;
    markReady(c, why);
  },
};

let cachedStep = -1;
let cachedStats: StepStats | null = null;
function cache(step: number): StepStats {
  cachedStep = step;
  return (cachedStats = statsFor(step));
}

function markReady(c: WsConn, err: string | null): void {
  const st = c.state as ConnState;
  if (!err) st.ready = true;
  else if (!firstError) firstError = err;
  const done = pending.get(c.tag);
  if (done) {
    pending.delete(c.tag);
    done(err);
  }
}

async function openOne(c: WsConn, timeoutMs: number): Promise<string | null> {
  const ready = new Promise<string | null>((res) => pending.set(c.tag, res));
  const timer = setTimeout(() => markReady(c, 'timeout waiting for ready'), timeoutMs);
  try {
    await connectWs(host, (c.state as ConnState).port ?? port, proto.path, c);
  } catch (e) {
    markReady(c, `connect: ${(e as Error).message}`);
  }
  const err = await ready;
  clearTimeout(timer);
  if (err) c.fail(err);
  return err;
}

/** Opens connections with at most `concurrency` handshakes in flight. */
async function openAll(list: WsConn[], concurrency: number, timeoutMs: number) {
  let ok = 0;
  let failed = 0;
  let next = 0;
  const t0 = nowMs();
  async function lane() {
    while (next < list.length) {
      const c = list[next++]!;
      if ((await openOne(c, timeoutMs)) === null) ok++;
      else failed++;
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, lane));
  return { ok, failed, ms: nowMs() - t0, error: firstError };
}

function newConn(spec: ConnSpec, tag: number): WsConn {
  const c = new WsConn(sink, tag);
  const st: ConnState = {
    role: spec.r,
    room: spec.room,
    token: spec.u === undefined ? undefined : tokens[spec.u],
    port: spec.port,
    ready: false,
    nextId: 2,
    inflight: 0,
    sawStarted: false,
  };
  c.state = st;
  return c;
}

// ---- sending -------------------------------------------------------------------------------
let currentStep = 0;
let rate = 0; // messages per second across this worker's senders
let budget = 0;
let rr = 0; // round-robin position over senders
let lastTick = 0;
let maxInflight = 1000;
let skipped = 0;
let closedLoop: { step: number; window: number } | null = null;

function sendOne(c: WsConn, step: number): boolean {
  const st = c.state as ConnState;
  if (!st.ready || c.backlogged || (proto.acks && st.inflight >= maxInflight)) return false;
  c.sendText(proto.send(st, makeContent(step, nowMs())));
  st.inflight++;
  statsFor(step).sent++;
  return true;
}

setInterval(() => {
  const now = nowMs();
  const dt = (now - lastTick) / 1000;
  lastTick = now;
  if (rate <= 0 || senders.length === 0) return;
  budget += rate * Math.min(dt, 0.1); // a stalled loop must not turn into a burst
  let n = Math.floor(budget);
  budget -= n;
  while (n-- > 0) {
    const c = senders[rr++ % senders.length]!;
    if (!sendOne(c, currentStep)) skipped++;
  }
}, 5);

// ---- IPC -----------------------------------------------------------------------------------
type Cmd = { rid: number; cmd: string; [k: string]: any };

async function handle(m: Cmd): Promise<unknown> {
  switch (m.cmd) {
    case 'init':
      proto = PROTOCOLS[m.protocol as ProtocolName];
      host = m.host;
      port = m.port;
      tokens = m.tokens ?? [];
      maxInflight = m.maxInflight ?? 1000;
      return { ok: true };
    case 'connect': {
      const base = conns.length;
      const list = (m.conns as ConnSpec[]).map((s, i) => newConn(s, base + i));
      conns.push(...list);
      senders.push(...list.filter((c) => (c.state as ConnState).role === 'send'));
      return openAll(list, m.concurrency ?? 100, m.timeoutMs ?? 30000);
    }
    case 'reconnect': {
      const dead = conns.filter((c) => c.closed);
      const fresh = dead.map((c) => {
        const n = new WsConn(sink, c.tag);
        n.state = { ...(c.state as ConnState), ready: false, inflight: 0, sawStarted: false };
        return n;
      });
      for (const n of fresh) conns[n.tag] = n;
      senders.splice(0, senders.length, ...conns.filter((c) => (c.state as ConnState).role === 'send'));
      return { ...(await openAll(fresh, m.concurrency ?? 100, m.timeoutMs ?? 30000)), dead: dead.length };
    }
    case 'rate':
      currentStep = m.step;
      rate = m.rate;
      budget = m.rate > 0 ? 1 : 0; // first message goes out at once, so low rates send rate*duration
      lastTick = nowMs();
      return { sent: statsFor(m.step).sent };
    case 'closedLoop':
      // Every sender keeps `window` sends outstanding; each ack triggers the next send.
      currentStep = m.step;
      closedLoop = { step: m.step, window: m.window };
      for (const c of senders) for (let i = 0; i < m.window; i++) sendOne(c, m.step);
      return { ok: true };
    case 'burst': {
      // `count` sends from the first sender back to back, no pacing; while the socket is backlogged
      // (or the in-flight cap is hit) the rest follows on a short timer. Returns the first send time.
      const c = senders[0];
      if (!c) throw new Error('burst: no sender connection');
      currentStep = m.step;
      let left = m.count as number;
      const push = () => {
        while (left > 0 && sendOne(c, m.step)) left--;
        if (left > 0 && !c.closed) setTimeout(push, 1);
      };
      const t0 = nowMs();
      push();
      return { t0 };
    }
    case 'stopClosedLoop':
      closedLoop = null;
      return { ok: true };
    case 'stats': {
      const s = statsFor(m.step);
      const cpu = process.cpuUsage();
      return {
        ...s,
        hist: packHist(s.hist),
        ackHist: packHist(s.ackHist),
        totalRecv,
        closed: closedCount,
        open: conns.filter((c) => c.open).length,
        inflight: senders.reduce((a, c) => a + (c.state as ConnState).inflight, 0),
        skipped,
        cpuMs: (cpu.user + cpu.system) / 1000,
        error: firstError,
      };
    }
    case 'close':
      for (const c of conns) c.close();
      return { ok: true };
    default:
      throw new Error(`unknown command ${m.cmd}`);
  }
}

process.on('message', (m: Cmd) => {
  handle(m).then(
    (res) => process.send!({ rid: m.rid, res }),
    (e) => process.send!({ rid: m.rid, err: String((e as Error)?.stack ?? e) }),
  );
});
process.on('disconnect', () => process.exit(0));
