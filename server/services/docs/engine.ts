import type { Logger } from '../../log.ts';
import type { Bus } from '../../realtime/bus.ts';
import { CONTROL_TOPIC, type ControlMessage } from '../../realtime/notifier.ts';
import type { EndReason } from '../../realtime/sink.ts';
import { docStream } from '../../realtime/streams.ts';
import { OpenDoc, type DocSession } from './open-doc.ts';
import type { DocStore } from './store.ts';
import { createDocWriter } from './writer.ts';

export interface DocEngineDeps {
  store: DocStore;
  bus: Bus;
  log: Logger;
  nodeId: string;
  /** Updates after the snapshot that trigger a compaction (default 500). */
  compactEvery?: number;
  /** Write transactions in flight at once (1 for the embedded database, a few for PostgreSQL). */
  writeConcurrency?: number;
}

const GONE: EndReason = { code: 'NOT_FOUND', message: 'Document not found' };

/**
 * The instance's open documents: one OpenDoc per document while anyone uses it here, unloaded
 * (and compacted) when its last editor leaves. Authorization changes announced on the control
 * topic end the affected editing sessions on every transport at once.
 */
export function createDocEngine(deps: DocEngineDeps) {
  const open = new Map<string, OpenDoc>();
  const unloading = new Set<Promise<void>>();
  const docDeps = { ...deps, compactEvery: deps.compactEvery ?? 500, writer: createDocWriter(deps.store, deps.writeConcurrency ?? 1) };

  const control = deps.bus.subscribe(CONTROL_TOPIC, (m) => {
    const msg = JSON.parse(m.json) as ControlMessage;
    for (const d of [...open.values()]) {
      if (msg.kind === 'membership_revoked' && d.groupId === msg.groupId) d.endWhere((s) => s.userId === msg.userId, GONE);
      else if (msg.kind === 'group_deleted' && d.groupId === msg.groupId) d.endWhere(() => true, GONE);
      else if (msg.kind === 'stream_deleted' && msg.stream === docStream(d.id))
        d.endWhere(() => true, { code: 'NOT_FOUND', message: `${msg.what} not found` });
    }
  });
  const stopRecover = deps.bus.onRecover(() => {
    for (const d of open.values()) d.fill();
  });

  /** Opens (or finds) a document and holds it open until `release`. */
  async function acquire(documentId: string, groupId: string): Promise<OpenDoc> {
    let d = open.get(documentId);
    if (!d) open.set(documentId, (d = new OpenDoc(documentId, groupId, docDeps)));
    d.refs++;
    try {
      await d.ready;
      return d;
    } catch (err) {
      release(d);
      throw err;
    }
  }

  function release(d: OpenDoc) {
    d.refs--;
    maybeUnload(d);
  }

  function maybeUnload(d: OpenDoc) {
    if (d.refs > 0 || d.sessions.size > 0) return;
    if (open.get(d.id) === d) open.delete(d.id);
    const done = d.dispose().finally(() => unloading.delete(done));
    unloading.add(done);
  }

  return {
    acquire,
    release,

    /** Runs `fn` on the open document, keeping it open meanwhile. */
    async use<T>(documentId: string, groupId: string, fn: (d: OpenDoc) => T | Promise<T>): Promise<T> {
      const d = await acquire(documentId, groupId);
      try {
        return await fn(d);
      } finally {
        release(d);
      }
    },

    /**
     * Adds an editing session. `greet` runs synchronously with the join, so the state it sends and
     * the updates relayed afterwards neither overlap nor leave a gap. Returns the leave.
     */
    async join(
      documentId: string,
      groupId: string,
      session: DocSession,
      greet: (d: OpenDoc) => void,
    ): Promise<{ doc: OpenDoc; leave(): void }> {
      const d = await acquire(documentId, groupId);
      d.sessions.add(session);
      d.refs--;
      let left = false;
      try {
        greet(d);
      } catch (err) {
        d.leave(session);
        maybeUnload(d);
        throw err;
      }
      return {
        doc: d,
        leave() {
          if (left) return;
          left = true;
          d.leave(session);
          maybeUnload(d);
        },
      };
    },

    /** Open documents on this instance (metrics, tests). */
    openCount: () => open.size,
    isOpen: (documentId: string) => open.has(documentId),

    async close() {
      control.close();
      stopRecover();
      for (const d of [...open.values()]) {
        d.endWhere(() => true, { code: 'NOT_FOUND', message: 'Server shutting down' });
        if (open.get(d.id) === d) open.delete(d.id);
        unloading.add(d.dispose());
      }
      await Promise.allSettled([...unloading]);
    },
  };
}

export type DocEngine = ReturnType<typeof createDocEngine>;
