import type { Logger } from '../log.ts';
import type { EventLog } from './eventlog.ts';
import type { Bus, BusMessage, BusSubscription } from './bus.ts';
import type { PublishFrame, Sink } from './sink.ts';

/**
 * A subscriber's place in a stream. `buffering` until its backlog is out (live events queue up),
 * then `direct` (delivered one by one, skipping what the backlog already sent), then `shared`
 * once the stream has caught up with it: from there its frames come through the native topic.
 */
export interface Attachment {
  sink: Sink;
  state: 'buffering' | 'direct' | 'shared';
  buffer: Array<[seq: number | null, json: string]>;
  /** Highest durable sequence this sink has (its resume position); -1 until known. */
  lastSent: number;
}

interface StreamDeps {
  bus: Bus;
  eventLog: EventLog;
  publishFrame: PublishFrame;
  log: Logger;
  onGapFill?: () => void;
}

/** Frozen: a push onto it (a bug: only buffering attachments buffer) throws instead of leaking across attachments. */
const NOTHING_BUFFERED = Object.freeze([]) as unknown as Attachment['buffer'];

/** Longest wait between attempts to fill a gap the event log cannot fill yet. */
const MAX_FILL_DELAY_MS = 1000;
const FILL_PAGE = 1000;

/** One stream on one node: ordering, gap filling and fan-out to its local subscribers. */
export class StreamState {
  lastSeq = 0;
  groupId: string | undefined;
  readonly attachments = new Set<Attachment>();
  readonly ready: Promise<void>;
  private readonly unshared = new Set<Attachment>();
  private readonly shared = new Map<string, { count: number; frame: Sink['frame'] }>();
  private readonly pending = new Map<number, string>();
  private early: BusMessage[] | null = [];
  private fillTimer: ReturnType<typeof setTimeout> | null = null;
  private fillDelay = 10;
  private filling = false;
  private disposed = false;
  private readonly subscription: BusSubscription;

  constructor(
    readonly key: string,
    private readonly deps: StreamDeps,
    private readonly onDispose: () => void,
  ) {
    // Listen (and wait until the bus confirms) before reading the counter: nothing published in between is missed.
    this.subscription = deps.bus.subscribe(key, (m) => this.onBus(m));
    this.ready = this.subscription.ready.then(async () => this.start(await deps.eventLog.latest(key)));
    this.ready.catch(() => this.dispose());
  }

  private start(seq: number) {
    this.lastSeq = seq;
    const early = this.early ?? [];
    this.early = null;
    for (const m of early) this.onBus(m);
  }

  add(sink: Sink): Attachment {
    const a: Attachment = { sink, state: 'buffering', buffer: [], lastSent: -1 };
    this.attachments.add(a);
    this.unshared.add(a);
    return a;
  }

  /** Where a new attachment stands: just before the first event it buffered, or at the stream's head. */
  positionOf(a: Attachment): number {
    const first = a.buffer.find(([seq]) => seq !== null)?.[0];
    return first == null ? this.lastSeq : first - 1;
  }

  /** Ends buffering: flushes what queued up, then joins the shared topic when caught up. */
  release(a: Attachment) {
    if (a.state !== 'buffering') return;
    a.state = 'direct';
    const queued = a.buffer;
    // Nothing is buffered from here on: every attachment past this point shares one empty array.
    a.buffer = NOTHING_BUFFERED;
    for (const [seq, json] of queued) {
      if (seq === null) a.sink.deliver(a.lastSent, json, false);
      else this.sendTo(a, seq, json);
    }
    this.maybeShare(a);
  }

  remove(a: Attachment) {
    if (!this.attachments.delete(a)) return;
    if (a.state === 'shared') {
      const key = a.sink.shareKey!;
      a.sink.leaveTopic(this.topic(key));
      const entry = this.shared.get(key)!;
      if (--entry.count === 0) this.shared.delete(key);
    } else {
      this.unshared.delete(a);
    }
    if (!this.attachments.size) this.dispose();
  }

  /** Delivers a durable event to one sink unless it already has it. */
  sendTo(a: Attachment, seq: number, json: string) {
    if (seq <= a.lastSent) return;
    a.lastSent = seq;
    a.sink.deliver(seq, json, true);
  }

  /**
   * Delivers an ephemeral event to local subscribers: to one user's only when `to` is set, or to
   * everyone but one user when `to` is `!<user id>` (a user's own `user_joined`).
   */
  ephemeral(json: string, to?: string) {
    const deliver = (a: Attachment) => {
      if (a.state === 'buffering') a.buffer.push([null, json]);
      else a.sink.deliver(a.state === 'shared' ? this.lastSeq : a.lastSent, json, false);
    };
    if (to?.startsWith('!')) {
      const except = to.slice(1);
      for (const a of this.attachments) if (a.sink.userId !== except) deliver(a);
      return;
    }
    if (to !== undefined) {
      for (const a of this.attachments) if (a.sink.userId === to) deliver(a);
      return;
    }
    for (const [key, entry] of this.shared) this.deps.publishFrame(this.topic(key), entry.frame(this.lastSeq, json, false));
    for (const a of this.unshared) deliver(a);
  }

  /** Re-reads the event log after the last delivered sequence (gaps, or after a bus outage). */
  fill() {
    if (this.filling || this.early || this.disposed) return;
    this.filling = true;
    const before = this.lastSeq;
    let more = false;
    this.deps.eventLog
      .read(this.key, this.lastSeq, FILL_PAGE)
      .then((events) => {
        if (events.length) this.deps.onGapFill?.();
        for (const e of events) this.durableIn(e.seq, e.json);
        this.fillDelay = this.lastSeq > before ? 10 : Math.min(this.fillDelay * 2, MAX_FILL_DELAY_MS);
        more = events.length === FILL_PAGE;
      })
      .catch((error) => this.deps.log.warn('gap fill failed', { stream: this.key, error }))
      .finally(() => {
        this.filling = false;
        if (more) this.fill();
        else if (this.pending.size) this.scheduleFill();
      });
  }

  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.subscription.close();
    if (this.fillTimer) clearTimeout(this.fillTimer);
    this.onDispose();
  }

  private topic(shareKey: string) {
    return `${this.key}|${shareKey}`;
  }

  private maybeShare(a: Attachment) {
    const key = a.sink.shareKey;
    if (a.state !== 'direct' || key === null || a.lastSent > this.lastSeq) return;
    a.state = 'shared';
    this.unshared.delete(a);
    const entry = this.shared.get(key);
    if (entry) entry.count++;
    else this.shared.set(key, { count: 1, frame: a.sink.frame });
    a.sink.joinTopic(this.topic(key));
  }

  private onBus(m: BusMessage) {
    if (this.disposed) return;
    if (this.early) this.early.push(m);
    else if (m.seq === undefined) this.ephemeral(m.json, m.to);
    else this.durableIn(m.seq, m.json);
  }

  private durableIn(seq: number, json: string) {
    if (seq <= this.lastSeq) return;
    if (seq > this.lastSeq + 1) {
      this.pending.set(seq, json);
      this.scheduleFill();
      return;
    }
    this.emit(seq, json);
    for (let next = this.pending.get(this.lastSeq + 1); next !== undefined; next = this.pending.get(this.lastSeq + 1)) {
      this.pending.delete(this.lastSeq + 1);
      this.emit(this.lastSeq + 1, next);
    }
  }

  private emit(seq: number, json: string) {
    this.lastSeq = seq;
    for (const [key, entry] of this.shared) this.deps.publishFrame(this.topic(key), entry.frame(seq, json, true));
    for (const a of this.unshared) {
      if (a.state === 'buffering') a.buffer.push([seq, json]);
      else {
        this.sendTo(a, seq, json);
        this.maybeShare(a);
      }
    }
  }

  private scheduleFill() {
    if (this.fillTimer || this.disposed) return;
    this.fillTimer = setTimeout(() => {
      this.fillTimer = null;
      if (this.pending.size) this.fill();
    }, this.fillDelay);
    this.fillTimer.unref?.();
  }
}
