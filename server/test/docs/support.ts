import type { TRPCClient } from '@trpc/client';
import { WebsocketProvider } from 'y-websocket';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { count, eq } from 'drizzle-orm';
import type { AppRouter } from '../../../client/index.ts';
import type { Database } from '../../db/client.ts';
import { documentUpdates } from '../../db/schema/index.ts';
import { Collector, eventually } from '../helpers/events.ts';

/** Test clients for collaborative documents: a tRPC-synced Y.Doc, a stock y-websocket provider, a raw socket. */

export const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
export const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const REMOTE = 'remote';

/**
 * A Y.Doc kept in sync through the tRPC API alone: `realtime.doc` in, `docs.push` and
 * `docs.awareness` out, as a frontend without y-websocket would do it.
 */
export class TrpcDoc {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly events = new Collector<any>();
  readonly synced: Promise<void>;
  readonly errors: unknown[] = [];
  private readonly sub: { unsubscribe(): void };
  private readonly pushes = new Set<Promise<unknown>>();

  constructor(
    readonly api: TRPCClient<AppRouter>,
    readonly documentId: string,
  ) {
    let onSynced = () => {};
    this.synced = new Promise((r) => (onSynced = r));
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      const p = api.docs.push.mutate({ document_id: documentId, update: b64(update) }).catch((e) => this.errors.push(e));
      this.pushes.add(p);
      void p.finally(() => this.pushes.delete(p));
    });
    this.awareness.on('update', ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
      if (origin === REMOTE) return;
      const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added!, ...updated!, ...removed!]);
      void api.docs.awareness.mutate({ document_id: documentId, update: b64(update) }).catch((e) => this.errors.push(e));
    });
    this.sub = (api.realtime.doc as any).subscribe(
      { document_id: documentId },
      {
        onData: (e: any) => {
          this.events.push(e);
          if (e.type === 'doc_state' || e.type === 'doc_update') Y.applyUpdate(this.doc, unb64(e.update), REMOTE);
          if (e.type === 'awareness') awarenessProtocol.applyAwarenessUpdate(this.awareness, unb64(e.update), REMOTE);
          if (e.type === 'doc_state') onSynced();
        },
        onError: (e: unknown) => this.events.fail(e),
      },
    );
  }

  get text() {
    return this.doc.getText('content');
  }

  /** Resolves when every push sent so far was acknowledged (persisted). */
  async flushed() {
    while (this.pushes.size) await Promise.allSettled([...this.pushes]);
  }

  close() {
    this.sub.unsubscribe();
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** A stock y-websocket provider, as a browser editor binding would use it, against `/ws/doc/<id>`. */
export function provider(baseUrl: string, documentId: string, token: string) {
  const doc = new Y.Doc();
  const p = new WebsocketProvider(`${baseUrl.replace(/^http/, 'ws')}/ws/doc`, documentId, doc, {
    WebSocketPolyfill: WebSocket as never,
    params: { token },
    disableBc: true,
    maxBackoffTime: 200,
  });
  const synced = new Promise<void>((resolve) => {
    if (p.synced) resolve();
    p.once('sync', (s: boolean) => s && resolve());
  });
  return {
    doc,
    provider: p,
    synced,
    text: doc.getText('content'),
    close() {
      p.destroy();
      doc.destroy();
    },
  };
}

/** A raw socket on `/ws/doc/<id>` that records every frame and how it closed. */
export function rawDocSocket(baseUrl: string, documentId: string, token: string) {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws/doc/${documentId}?token=${encodeURIComponent(token)}`);
  ws.binaryType = 'arraybuffer';
  const frames = new Collector<Uint8Array>();
  let onClose: (c: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClose = r));
  ws.onmessage = (e) => frames.push(new Uint8Array(e.data as ArrayBuffer));
  ws.onclose = (e) => onClose({ code: e.code, reason: e.reason });
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('socket error'));
  });
  return { ws, frames, closed, opened };
}

/** Decodes a frame's type (and the reason of a permission-denied error frame). */
export function describeFrame(frame: Uint8Array): { type: number; sub?: number; reason?: string; payload?: Uint8Array } {
  const d = decoding.createDecoder(frame);
  const type = decoding.readVarUint(d);
  if (type === 0) {
    const sub = decoding.readVarUint(d);
    return { type, sub, payload: decoding.readVarUint8Array(d) };
  }
  if (type === 1) return { type, payload: decoding.readVarUint8Array(d) };
  if (type === 2) {
    decoding.readVarUint(d);
    return { type, reason: decoding.readVarString(d) };
  }
  return { type };
}

/** Waits for a permission-denied (error) frame after `from` frames and returns its reason. */
export async function nextError(frames: Collector<Uint8Array>, from: number): Promise<string> {
  const found = await eventually(
    () =>
      frames.items
        .slice(from)
        .map(describeFrame)
        .find((f) => f.type === 2),
    5000,
    'an error frame',
  );
  return found!.reason!;
}

export { eventually };

/** Rows in a document's update log. */
export async function tailRows(database: Database, documentId: string): Promise<number> {
  const [row] = await database.db.select({ n: count() }).from(documentUpdates).where(eq(documentUpdates.documentId, documentId));
  return Number(row?.n ?? 0);
}
