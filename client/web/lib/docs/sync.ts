import { fromBase64, toBase64 } from 'lib0/buffer';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { TRPCClientError, type DocEvent, type ParleyClient } from '../../../index.ts';
import { errorText, isRetryable } from '../errors.ts';

/** Who a cursor belongs to; y-codemirror.next reads `name`, `color` and `colorLight`. */
export interface DocUser {
  id: string;
  name: string;
  color: string;
  colorLight: string;
}

/** One editor on the document (a user with two tabs open is two peers). */
export interface DocPeer extends DocUser {
  clientId: number;
  me: boolean;
}

/**
 * - `connecting`: waiting for the document's state (first open, or after a reconnect);
 * - `saving`: edits made here are on their way; `synced`: the server has all of them;
 * - `offline`: the connection is gone; edits stay here and go out once it is back.
 */
export type DocStatus = 'connecting' | 'saving' | 'synced' | 'offline';

export interface DocSyncState {
  status: DocStatus;
  /** The document's state arrived at least once: the editor can be shown. */
  loaded: boolean;
  peers: DocPeer[];
  /** The server ended the session (document deleted, removed from the group, not found). */
  ended: { code: string; message: string } | null;
  /** An edit the server refused for good (e.g. too large), in words. */
  problem: string | null;
}

export type DocApi = Pick<ParleyClient, 'docs' | 'realtime'>;

export interface DocSyncOptions {
  /** At most one awareness update (cursor move) per this many ms: the server allows a burst of 60, then 20 a second per user. */
  awarenessIntervalMs?: number;
  /** First delay before a failed push is retried (doubling up to 10 s). */
  retryMs?: number;
}

/** Origin of changes that came from the server, so they are not sent back. */
const REMOTE = Symbol('remote');
/** Largest batch of edits merged into one push: its base64 stays far below the 1 MiB request limit. */
const MAX_PUSH_BYTES = 256 * 1024;
const MAX_RETRY_MS = 10_000;

const codeOf = (err: unknown) => (err instanceof TRPCClientError ? (err.data as { code?: string } | undefined)?.code : undefined);

/**
 * A Yjs document kept in sync over the app's own tRPC client: `realtime.doc` brings the state,
 * updates and cursors; `docs.push` and `docs.awareness` send ours. Edits go out one batch at a
 * time (what piles up meanwhile is merged); after a reconnect the fresh state says what the
 * server lacks, and that is sent. The subscription shares the app's socket, so token refresh
 * and reconnects are the client's business.
 */
export class DocSync {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly text = this.doc.getText('content');
  private state: DocSyncState = { status: 'connecting', loaded: false, peers: [], ended: null, problem: null };
  private readonly listeners = new Set<() => void>();
  private readonly sub: { unsubscribe(): void };
  /** Local edits the server has not acknowledged yet (the one in flight excluded). */
  private pending: Uint8Array[] = [];
  private inFlight = false;
  private pushFailing = false;
  private retryDelay: number;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The current subscription has delivered the state: pushes and cursors have a session to join. */
  private live = false;
  private socketLost = false;
  private awarenessTimer: ReturnType<typeof setTimeout> | null = null;
  private awarenessDirty = false;
  private destroyed = false;
  private readonly awarenessMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly api: DocApi,
    readonly documentId: string,
    user: DocUser,
    opts: DocSyncOptions = {},
  ) {
    this.awarenessMs = opts.awarenessIntervalMs ?? 100;
    this.retryMs = this.retryDelay = opts.retryMs ?? 500;
    this.doc.on('update', this.onLocalUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    this.awareness.on('change', this.onPeersChange);
    this.awareness.setLocalStateField('user', user);
    this.sub = api.realtime.doc.subscribe(
      { document_id: documentId },
      {
        // Every document event is ephemeral (never `tracked`), so each arrives bare.
        onData: (e) => 'type' in e && this.onEvent(e),
        onError: (err) => this.end(err),
        onStarted: () => this.set({ socketLost: false }),
        onConnectionStateChange: (s) => {
          // The socket dropped: the server forgot this session; the state comes again on resubscribe.
          if (s.state === 'connecting') this.set({ live: false, socketLost: this.state.loaded });
          else if (s.state === 'pending') this.set({ socketLost: false });
        },
      },
    );
  }

  /** For `useSyncExternalStore`. */
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  getSnapshot = () => this.state;

  /** Resolves once every edit made so far is acknowledged (for tests and a clean close). */
  flushed(): Promise<void> {
    return new Promise((resolve) => {
      let off = () => {};
      const check = () => {
        if (!this.destroyed && (this.pending.length || this.inFlight)) return;
        off();
        resolve();
      };
      off = this.subscribe(check);
      check();
    });
  }

  /** Leaves: our cursor disappears for the others at once, and edits not sent yet go out. */
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.clearTimers();
    this.doc.off('update', this.onLocalUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.awareness.off('change', this.onPeersChange);
    if (!this.state.ended) {
      if (this.pending.length) this.send(Y.mergeUpdates(this.pending.splice(0))).catch(() => {});
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'local');
      const bye = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]);
      this.api.docs.awareness.mutate({ document_id: this.documentId, update: toBase64(bye) }).catch(() => {});
    }
    this.sub.unsubscribe();
    this.awareness.destroy();
    this.doc.destroy();
    this.emit();
    this.listeners.clear();
  }

  private onEvent(e: DocEvent) {
    const bytes = fromBase64(e.update);
    if (e.type === 'awareness') return awarenessProtocol.applyAwarenessUpdate(this.awareness, bytes, REMOTE);
    Y.applyUpdate(this.doc, bytes, REMOTE);
    if (e.type !== 'doc_state') return;
    // Edits the server has not acknowledged (made offline, or a push that failed): send what it lacks.
    if (this.pending.length || this.inFlight || this.pushFailing) {
      this.pending = [Y.encodeStateAsUpdate(this.doc, Y.encodeStateVectorFromUpdate(bytes))];
      this.pushFailing = false;
      this.retryDelay = this.retryMs;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    this.set({ live: true, socketLost: false, loaded: true });
    // The server dropped our cursor with the old session: show it again.
    this.awarenessDirty = true;
    this.flushAwareness();
    void this.flush();
  }

  private onLocalUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === REMOTE || this.state.ended) return;
    this.pending.push(update);
    this.refresh();
    void this.flush();
  };

  /** One push at a time; whatever queued meanwhile goes out merged in the next one. */
  private async flush() {
    if (this.inFlight || this.retryTimer || !this.pending.length || this.destroyed || this.state.ended) return;
    let size = 0;
    let take = 0;
    while (take < this.pending.length && (take === 0 || size + this.pending[take]!.byteLength <= MAX_PUSH_BYTES))
      size += this.pending[take++]!.byteLength;
    const batch = this.pending.splice(0, take);
    const update = batch.length === 1 ? batch[0]! : Y.mergeUpdates(batch);
    this.inFlight = true;
    this.refresh();
    try {
      await this.send(update);
      this.pushFailing = false;
      this.retryDelay = this.retryMs;
    } catch (err) {
      if (isRetryable(err)) {
        // Kept for the next try (or for the fresh state after a reconnect, whichever comes first).
        this.pending.unshift(update);
        this.pushFailing = true;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.flush();
        }, this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
      } else if (codeOf(err) !== 'NOT_FOUND' && codeOf(err) !== 'UNAUTHORIZED') {
        // Refused for good (too large): say so; gone or signed out ends the session elsewhere.
        this.state = { ...this.state, problem: errorText(err) };
      }
    } finally {
      this.inFlight = false;
      this.refresh();
    }
    void this.flush();
  }

  private send(update: Uint8Array) {
    return this.api.docs.push.mutate({ document_id: this.documentId, update: toBase64(update) });
  }

  private onAwarenessUpdate = (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin === REMOTE) return;
    const mine = [...change.added, ...change.updated, ...change.removed].includes(this.doc.clientID);
    if (!mine) return;
    this.awarenessDirty = true;
    this.flushAwareness();
  };

  /** Sends our cursor now, or when the interval since the last one is over. */
  private flushAwareness() {
    if (this.awarenessTimer || !this.awarenessDirty || !this.live || this.destroyed || this.state.ended) return;
    this.awarenessDirty = false;
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]);
    this.api.docs.awareness.mutate({ document_id: this.documentId, update: toBase64(update) }).catch((err) => {
      // Rate-limited or lost: the latest state goes again with the next tick (or the next state).
      if (isRetryable(err)) this.awarenessDirty = true;
    });
    this.awarenessTimer = setTimeout(() => {
      this.awarenessTimer = null;
      this.flushAwareness();
    }, this.awarenessMs);
  }

  private onPeersChange = () => {
    const peers: DocPeer[] = [];
    for (const [clientId, s] of this.awareness.getStates()) {
      const user = (s as { user?: Partial<DocUser> }).user;
      if (user?.id && user.name && user.color)
        peers.push({
          clientId,
          id: user.id,
          name: user.name,
          color: user.color,
          colorLight: user.colorLight ?? user.color,
          me: clientId === this.doc.clientID,
        });
    }
    peers.sort((a, b) => Number(b.me) - Number(a.me) || a.name.localeCompare(b.name) || a.clientId - b.clientId);
    this.state = { ...this.state, peers };
    this.emit();
  };

  private end(err: unknown) {
    if (this.destroyed) return;
    this.clearTimers();
    const code = codeOf(err) ?? 'UNKNOWN';
    this.state = { ...this.state, ended: { code, message: errorText(err) } };
    this.refresh();
  }

  private set(patch: { live?: boolean; socketLost?: boolean; loaded?: boolean }) {
    if (patch.live !== undefined) this.live = patch.live;
    if (patch.socketLost !== undefined) this.socketLost = patch.socketLost;
    if (patch.loaded !== undefined && patch.loaded !== this.state.loaded) this.state = { ...this.state, loaded: patch.loaded };
    this.refresh();
  }

  /** Recomputes the status from the connection and the push queue, and tells listeners when it changed. */
  private refresh() {
    const status: DocStatus =
      this.socketLost || this.pushFailing
        ? 'offline'
        : !this.live
          ? 'connecting'
          : this.pending.length || this.inFlight
            ? 'saving'
            : 'synced';
    if (status !== this.state.status) this.state = { ...this.state, status };
    this.emit();
  }

  private emit() {
    for (const l of this.listeners) l();
  }

  private clearTimers() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.awarenessTimer) clearTimeout(this.awarenessTimer);
    this.retryTimer = this.awarenessTimer = null;
  }
}
