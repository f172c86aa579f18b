import diff from 'fast-diff';
import * as Y from 'yjs';
import { DOC_TEXT, type DocEvent, type Document, type DocumentWithContent } from '../../../shared/docs.ts';
import { tooManyRequests } from '../../errors.ts';
import type { FloodGuard } from '../../ratelimit/bucket.ts';
import type { LiveSource, Sink } from '../../realtime/sink.ts';
import type { Caller } from '../caller.ts';
import { checkAwareness, checkUpdate, fromBase64, toBase64, type Relay } from './codec.ts';
import { presentDocument, type DocCrud, type DocumentRow } from './crud.ts';
import type { DocEngine } from './engine.ts';
import type { DocSession, OpenDoc } from './open-doc.ts';

export interface DocServiceDeps {
  crud: DocCrud;
  engine: DocEngine;
  /**
   * Awareness (cursor moves) is limited per user like typing: an in-process token bucket, no
   * round trip per cursor move, and independent of the message limit (RATE_LIMITS=off lifts it).
   */
  floods: Pick<FloodGuard, 'awareness'>;
}

/** When a refused awareness update may be tried again: the bucket regains a token within this. */
const AWARENESS_RETRY_SECONDS = 1;

/** An editing session's handle: push updates and awareness through it, and leave. */
export interface DocHandle {
  doc: OpenDoc;
  /** Persists and relays an update (checked first); resolves once it is durable. */
  push(update: Uint8Array): Promise<void>;
  /** Applies and relays an awareness update; false when the user's rate limit dropped it. */
  awareness(update: Uint8Array): Promise<boolean>;
  leave(): void;
}

/** Collaborative documents: rows via `crud`, Yjs state via the engine (persisted before relayed). */
export function createDocService({ crud, engine, floods }: DocServiceDeps) {
  const withContent = (row: DocumentRow, d: OpenDoc): DocumentWithContent => ({
    ...presentDocument(row),
    content: d.doc.getText(DOC_TEXT).toString(),
  });

  async function pushTo(d: OpenDoc, userId: string, update: Uint8Array, origin: DocSession | null) {
    if (!checkUpdate(update)) return;
    await d.push(update, userId, origin);
  }

  /**
   * Opens an editing session (the y-websocket edge). Membership is checked again after joining,
   * so a removal racing the join still ends it.
   */
  async function openSession(caller: Caller, documentId: string, session: DocSession, greet: (d: OpenDoc) => void): Promise<DocHandle> {
    const { doc: row } = await crud.docFor(documentId, caller.id);
    const joined = await engine.join(row.id, row.groupId, session, greet);
    try {
      await crud.docFor(documentId, caller.id);
    } catch (err) {
      joined.leave();
      throw err;
    }
    const d = joined.doc;
    return {
      doc: d,
      push: (update) => pushTo(d, caller.id, update, session),
      async awareness(update) {
        checkAwareness(update);
        if (!floods.awareness(caller.id)) return false;
        if (d.sessions.has(session)) d.applyAwareness(update, session);
        return true;
      },
      leave: joined.leave,
    };
  }

  return {
    docFor: crud.docFor,
    streamsOf: crud.streamsOf,

    async create(caller: Caller, input: { groupId: string; title: string; content?: string }): Promise<Document> {
      return presentDocument(await crud.create(caller.id, input));
    },

    async list(caller: Caller, groupId: string): Promise<Document[]> {
      return (await crud.list(caller.id, groupId)).map(presentDocument);
    },

    async get(caller: Caller, documentId: string): Promise<DocumentWithContent> {
      const { doc: row } = await crud.docFor(documentId, caller.id);
      return engine.use(row.id, row.groupId, (d) => withContent(row, d));
    },

    async rename(caller: Caller, documentId: string, title: string): Promise<Document> {
      return presentDocument(await crud.rename(caller.id, documentId, title));
    },

    async delete(caller: Caller, documentId: string): Promise<void> {
      await crud.delete(caller.id, documentId);
    },

    /**
     * The seed's "save": the text difference becomes one Yjs edit (made on a copy, so the open
     * document still holds only persisted state), which open editors merge with their own.
     */
    async setContent(caller: Caller, documentId: string, content: string): Promise<DocumentWithContent> {
      const { doc: row } = await crud.docFor(documentId, caller.id);
      return engine.use(row.id, row.groupId, async (d) => {
        const copy = new Y.Doc();
        try {
          Y.applyUpdate(copy, Y.encodeStateAsUpdate(d.doc));
          const text = copy.getText(DOC_TEXT);
          const before = Y.encodeStateVector(copy);
          copy.transact(() => {
            let at = 0;
            for (const [op, chunk] of diff(text.toString(), content)) {
              if (op === diff.EQUAL) at += chunk.length;
              else if (op === diff.DELETE) text.delete(at, chunk.length);
              else (text.insert(at, chunk), (at += chunk.length));
            }
          });
          await pushTo(d, caller.id, Y.encodeStateAsUpdate(copy, before), null);
        } finally {
          copy.destroy();
        }
        return withContent((await crud.docFor(documentId, caller.id)).doc, d);
      });
    },

    /** `docs.push`: a base64 Yjs update from a tRPC client. */
    async push(caller: Caller, documentId: string, update: string): Promise<void> {
      const { doc: row } = await crud.docFor(documentId, caller.id);
      const bytes = fromBase64(update);
      // Refused before the document is even opened; an empty update changes nothing.
      if (!checkUpdate(bytes)) return;
      await engine.use(row.id, row.groupId, (d) => d.push(bytes, caller.id, null));
    },

    /** `docs.awareness`: relayed to every editor, never stored; its cursors leave with the user's last session here. */
    async awareness(caller: Caller, documentId: string, update: string): Promise<void> {
      const { doc: row } = await crud.docFor(documentId, caller.id);
      const bytes = fromBase64(update);
      checkAwareness(bytes);
      if (!floods.awareness(caller.id)) throw tooManyRequests('Too many awareness updates', AWARENESS_RETRY_SECONDS);
      await engine.use(row.id, row.groupId, (d) => d.applyAwareness(bytes, caller.id));
    },

    openSession,

    /** `realtime.doc`: the whole state, the current awareness, then every update and awareness change. */
    subscribe(caller: Caller, row: DocumentRow): LiveSource<never, DocEvent> {
      const source: LiveSource<never, DocEvent> = {
        userId: caller.id,
        async open(sink: Sink) {
          const session: DocSession = {
            userId: caller.id,
            send: (relay: Relay) => sink.deliver(0, relay.json, false),
            end: (reason) => sink.end(reason),
          };
          const handle = await openSession(caller, row.id, session, (d) => {
            sink.started();
            sink.deliver(0, JSON.stringify({ type: 'doc_state', update: toBase64(Y.encodeStateAsUpdate(d.doc)) }), false);
            const states = d.awarenessState();
            if (states) sink.deliver(0, JSON.stringify({ type: 'awareness', update: toBase64(states) }), false);
          });
          return handle.leave;
        },
      };
      return source;
    },
  };
}

export type DocService = ReturnType<typeof createDocService>;
