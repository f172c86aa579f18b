import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { DOC_LIMITS } from '../../../shared/docs.ts';
import { notFound } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { Bus, BusMessage, BusSubscription } from '../../realtime/bus.ts';
import type { EndReason } from '../../realtime/sink.ts';
import { docStream } from '../../realtime/streams.ts';
import { fromBase64, Relay, toBase64, tooLarge } from './codec.ts';
import type { DocStore, StoredUpdate } from './store.ts';
import type { DocWriter } from './writer.ts';

/** One editor of an open document (a tRPC subscription or a y-websocket connection). */
export interface DocSession {
  readonly userId: string;
  /** An update the document took (persisted), or an awareness change; never the session's own. */
  send(relay: Relay): void;
  /** The server ends the session (removed from the group, document deleted). */
  end(reason: EndReason): void;
}

export interface OpenDocDeps {
  store: DocStore;
  writer: DocWriter;
  bus: Bus;
  log: Logger;
  /** This instance, so it can ignore its own awareness relays coming back over the bus. */
  nodeId: string;
  /** Updates after the snapshot that trigger a compaction. */
  compactEvery: number;
}

interface QueuedWrite {
  update: Uint8Array;
  userId: string;
  origin: DocSession | null;
  resolve(): void;
  reject(err: unknown): void;
}

/** Where an applied update came from: who sent it, and the local session not to echo it to. */
interface Origin {
  userId: string | null;
  session: DocSession | null;
}

/** Awareness changes that are this instance's own business (timeouts happen on every instance). */
const REMOTE = Symbol('remote');
const TIMEOUT = 'timeout';
const WRITE_BATCH = 256;
const FILL_PAGE = 1000;
const MAX_FILL_DELAY_MS = 1000;
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A document open on this instance: the Y.Doc holds only persisted state (writes commit, then
 * apply, then relay), updates from any instance apply in sequence order, gaps are filled from
 * the database, and awareness is relayed but never stored.
 */
export class OpenDoc {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly sessions = new Set<DocSession>();
  /** Operations in flight (pushes, reads) that keep the document open without a session. */
  refs = 0;
  lastSeq = 0;
  readonly ready: Promise<void>;
  private compactedThrough = 0;
  private compacting: Promise<void> | null = null;
  private estimatedSize = 0;
  private readonly queue: QueuedWrite[] = [];
  private flushing = false;
  private readonly pending = new Map<number, { update: Uint8Array; userId: string | null }>();
  private early: BusMessage[] | null = [];
  private fillTimer: ReturnType<typeof setTimeout> | null = null;
  private fillDelay = 10;
  private filling = false;
  private disposed = false;
  /** Awareness client ids each session (or each user's mutations, by user id) controls. */
  private readonly controlled = new Map<DocSession | string, Set<number>>();
  private readonly subscription: BusSubscription;

  constructor(
    readonly id: string,
    readonly groupId: string,
    private readonly deps: OpenDocDeps,
  ) {
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: Origin) => {
      const relay = new Relay('update', update, origin?.userId ?? null);
      for (const s of this.sessions) if (s !== origin?.session) s.send(relay);
    });
    this.awareness.on('update', (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) =>
      this.onAwareness(change, origin),
    );
    // Listen before loading: an update committed while the load runs is buffered, not missed.
    this.subscription = deps.bus.subscribe(docStream(id), (m) => this.onBus(m));
    this.ready = this.subscription.ready.then(() => this.load());
    this.ready.catch(() => {});
  }

  private async load() {
    const stored = await this.deps.store.load(this.id);
    if (!stored) throw notFound('Document');
    this.doc.transact(
      () => {
        Y.applyUpdate(this.doc, stored.snapshot.update);
        for (const u of stored.tail) Y.applyUpdate(this.doc, u.update);
      },
      { userId: null, session: null },
    );
    this.lastSeq = stored.seq;
    this.compactedThrough = stored.snapshot.seq;
    this.estimatedSize = stored.snapshot.update.byteLength + stored.tail.reduce((n, u) => n + u.update.byteLength, 0);
    const early = this.early ?? [];
    this.early = null;
    for (const m of early) this.onBus(m);
    // A document whose editors' instance died before compacting is compacted by whoever loads it next.
    if (stored.tail.length >= this.deps.compactEvery) this.compact();
  }

  /** Persists an update, then applies and relays it; resolves once it is durable. */
  push(update: Uint8Array, userId: string, origin: DocSession | null): Promise<void> {
    this.checkSize(update);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ update, userId, origin, resolve, reject });
      void this.flush();
    });
  }

  /** Applies an awareness update from a local session (or a user's mutation) and relays it everywhere. */
  applyAwareness(update: Uint8Array, origin: DocSession | string) {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin);
  }

  /** Every known awareness state, or null when there are none. */
  awarenessState(): Uint8Array | null {
    const clients = [...this.awareness.getStates().keys()];
    return clients.length ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients) : null;
  }

  /** Forgets a session; its cursors disappear for everyone, and so do its user's mutation cursors if it was their last. */
  leave(session: DocSession) {
    if (!this.sessions.delete(session)) return;
    const drop = [...(this.controlled.get(session) ?? [])];
    this.controlled.delete(session);
    if (![...this.sessions].some((s) => s.userId === session.userId)) {
      drop.push(...(this.controlled.get(session.userId) ?? []));
      this.controlled.delete(session.userId);
    }
    if (drop.length) awarenessProtocol.removeAwarenessStates(this.awareness, drop, session);
  }

  /** Ends the sessions `match` selects; each transport then calls `leave`. */
  endWhere(match: (s: DocSession) => boolean, reason: EndReason) {
    for (const s of [...this.sessions]) if (match(s)) s.end(reason);
  }

  /** Folds the update log into the snapshot (in the background; one at a time per instance). */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    const through = this.lastSeq;
    if (through <= this.compactedThrough) return Promise.resolve();
    this.compacting = this.deps.store
      .compact(this.id, through)
      .then(() => {
        this.compactedThrough = Math.max(this.compactedThrough, through);
        this.estimatedSize = Y.encodeStateAsUpdate(this.doc).byteLength;
      })
      .catch((error) => this.deps.log.warn('document compaction failed', { document: this.id, error }))
      .finally(() => {
        this.compacting = null;
        // Writes that landed meanwhile may already be over the threshold again.
        if (!this.disposed && this.lastSeq - this.compactedThrough >= this.deps.compactEvery) void this.compact();
      });
    return this.compacting;
  }

  /** Releases memory and the bus subscription; compacts what this instance saw (the unload compaction). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.subscription.close();
    if (this.fillTimer) clearTimeout(this.fillTimer);
    try {
      await this.ready;
      await this.compact();
    } catch {
      // A document that never loaded has nothing to compact.
    } finally {
      this.awareness.destroy();
      this.doc.destroy();
    }
  }

  /** The 10 MiB cap, checked exactly only when a cheap upper bound says it might be exceeded. */
  private checkSize(update: Uint8Array) {
    const max = DOC_LIMITS.documentMaxBytes;
    if (this.estimatedSize + update.byteLength <= max) return;
    const probe = new Y.Doc();
    try {
      Y.applyUpdate(probe, Y.encodeStateAsUpdate(this.doc));
      Y.applyUpdate(probe, update);
      const size = Y.encodeStateAsUpdate(probe).byteLength;
      if (size > max) throw tooLarge(`A document may be at most ${max} bytes encoded`);
      this.estimatedSize = size - update.byteLength;
    } finally {
      probe.destroy();
    }
  }

  /** Group commit: whatever queued while the previous transaction ran is written in one. */
  private async flush() {
    if (this.flushing) return;
    this.flushing = true;
    try {
      await this.ready;
      while (this.queue.length) {
        // The embedded database runs a whole transaction without yielding to I/O: let the
        // updates already received on other sockets queue up first, or every batch holds one.
        await nextTick();
        const batch = this.queue.splice(0, WRITE_BATCH);
        try {
          const first = await this.deps.writer.append(this.id, batch);
          if (first === null) throw notFound('Document');
          batch.forEach((w, i) => {
            const seq = first + i;
            this.ingest(seq, w.update, w.userId, w.origin);
            this.deps.bus.publish(docStream(this.id), { seq, json: JSON.stringify({ u: toBase64(w.update), by: w.userId }) });
            w.resolve();
          });
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
      if (this.lastSeq - this.compactedThrough >= this.deps.compactEvery) void this.compact();
    } catch (err) {
      for (const w of this.queue.splice(0)) w.reject(err);
    } finally {
      this.flushing = false;
    }
  }

  private onBus(m: BusMessage) {
    if (this.disposed) return;
    if (this.early) return void this.early.push(m);
    const body = JSON.parse(m.json) as { u?: string; by?: string; a?: string; node?: string };
    if (m.seq !== undefined && body.u) this.ingest(m.seq, fromBase64(body.u), body.by ?? null, null);
    else if (body.a && body.node !== this.deps.nodeId) {
      try {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, fromBase64(body.a), REMOTE);
      } catch (error) {
        this.deps.log.warn('bad awareness relay', { document: this.id, error });
      }
    }
  }

  /** Applies updates strictly in sequence order; a gap waits for the bus or the database. */
  private ingest(seq: number, update: Uint8Array, userId: string | null, session: DocSession | null) {
    if (seq <= this.lastSeq || this.disposed) return;
    if (seq > this.lastSeq + 1) {
      this.pending.set(seq, { update, userId });
      return this.scheduleFill();
    }
    this.apply(seq, update, { userId, session });
    for (let next = this.pending.get(this.lastSeq + 1); next; next = this.pending.get(this.lastSeq + 1)) {
      this.pending.delete(this.lastSeq + 1);
      this.apply(this.lastSeq + 1, next.update, { userId: next.userId, session: null });
    }
  }

  private apply(seq: number, update: Uint8Array, origin: Origin) {
    this.lastSeq = seq;
    this.estimatedSize += update.byteLength;
    try {
      Y.applyUpdate(this.doc, update, origin);
    } catch (error) {
      // Checked before it was stored, so this should not happen; the log still has it for a reload.
      this.deps.log.error('stored document update failed to apply', { document: this.id, seq, error });
    }
  }

  /** Re-reads the log after the last applied sequence; a compacted range reloads the snapshot. */
  fill() {
    if (this.filling || this.early || this.disposed) return;
    this.filling = true;
    const before = this.lastSeq;
    let more = false;
    this.deps.store
      .readAfter(this.id, this.lastSeq, FILL_PAGE)
      .then(async (rows: Array<StoredUpdate & { userId: string | null }>) => {
        if (rows.length && rows[0]!.seq !== this.lastSeq + 1) return this.reload();
        for (const r of rows) this.ingest(r.seq, r.update, r.userId, null);
        more = rows.length === FILL_PAGE;
      })
      .catch((error) => this.deps.log.warn('document gap fill failed', { document: this.id, error }))
      .finally(() => {
        this.filling = false;
        this.fillDelay = this.lastSeq > before ? 10 : Math.min(this.fillDelay * 2, MAX_FILL_DELAY_MS);
        if (more) this.fill();
        else if (this.pending.size) this.scheduleFill();
      });
  }

  /** The updates this instance missed were folded into the snapshot: apply snapshot and tail (Yjs is idempotent). */
  private async reload() {
    const stored = await this.deps.store.load(this.id);
    if (!stored || this.disposed) return;
    this.doc.transact(
      () => {
        Y.applyUpdate(this.doc, stored.snapshot.update);
        for (const u of stored.tail) Y.applyUpdate(this.doc, u.update);
      },
      { userId: null, session: null },
    );
    this.lastSeq = Math.max(this.lastSeq, stored.seq);
    this.compactedThrough = Math.max(this.compactedThrough, stored.snapshot.seq);
    for (const seq of [...this.pending.keys()]) if (seq <= this.lastSeq) this.pending.delete(seq);
    const next = this.pending.get(this.lastSeq + 1);
    if (next) {
      this.pending.delete(this.lastSeq + 1);
      this.ingest(this.lastSeq + 1, next.update, next.userId, null);
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

  private onAwareness(change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) {
    const changed = [...change.added, ...change.updated, ...change.removed];
    if (!changed.length) return;
    if (typeof origin === 'string' || (typeof origin === 'object' && origin !== null && this.sessions.has(origin as DocSession))) {
      const key = origin as DocSession | string;
      let ids = this.controlled.get(key);
      if (!ids) this.controlled.set(key, (ids = new Set()));
      for (const id of [...change.added, ...change.updated]) ids.add(id);
      for (const id of change.removed) ids.delete(id);
    }
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
    const relay = new Relay('awareness', update, null);
    for (const s of this.sessions) if (s !== origin) s.send(relay);
    if (origin !== REMOTE && origin !== TIMEOUT) {
      this.deps.bus.publish(docStream(this.id), { json: JSON.stringify({ a: toBase64(update), node: this.deps.nodeId }) });
    }
  }
}
