import type { ServerWebSocket } from 'bun';
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import type { AccessClaims } from '../auth/tokens.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { EndReason } from '../realtime/sink.ts';
import { CLOSE_CODES } from '../../shared/close-codes.ts';
import type { ExpiryWheel } from './expiry.ts';
import type { GatewayLike, SocketData } from './websocket.ts';
import {
  awarenessFrame,
  errorFrame,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  type Relay,
  syncFrame,
} from '../services/docs/codec.ts';
import type { DocHandle } from '../services/docs/index.ts';
import type { DocSession } from '../services/docs/open-doc.ts';
import type { Services } from '../services/index.ts';

/** What an accepted document upgrade carries into the socket. */
export interface DocSocketInit {
  auth: AccessClaims;
  documentId: string;
}

/** Close code when the server ends the session (removed from the group, document deleted). */
export const CLOSE_GONE = CLOSE_CODES.streamEnded;

const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

const refuse = (status: number, message: string) =>
  new Response(JSON.stringify({ type: 'error', message }), { status, headers: { 'content-type': 'application/json' } });

/**
 * `GET /ws/doc/:document_id?token=`: the y-websocket protocol (sync step 1/2, updates,
 * awareness), so a stock `WebsocketProvider` edits alongside tRPC clients. Updates go through
 * the same document engine: checked, persisted, then relayed. A refused frame gets the
 * protocol's permission-denied message with the reason, and the connection stays open.
 */
export function createDocSocket(deps: { services: Services; log: Logger }) {
  const { services } = deps;

  async function accept(_req: Request, url: URL): Promise<DocSocketInit | Response> {
    const m = /^\/ws\/doc\/([0-9a-f-]{36})$/i.exec(url.pathname);
    if (!m) return refuse(404, 'not found');
    const token = url.searchParams.get('token');
    if (!token) return refuse(401, 'token required');
    try {
      const auth = await services.tokens.verify(token);
      const documentId = m[1]!.toLowerCase();
      await services.docs.docFor(documentId, auth.userId);
      return { auth, documentId };
    } catch (err) {
      if (err instanceof DomainError) return refuse(err.code === 'UNAUTHORIZED' ? 401 : 404, err.message);
      throw err;
    }
  }

  function open(ws: ServerWebSocket<SocketData>, init: unknown, expiry: ExpiryWheel): GatewayLike {
    return new DocConnection(ws, init as DocSocketInit, deps, expiry);
  }

  return { accept, open };
}

class DocConnection implements GatewayLike, DocSession {
  readonly userId: string;
  private handle: DocHandle | null = null;
  private closed = false;
  /** Frames are handled one at a time, in arrival order, starting once the session is open. */
  private queue: Promise<void>;

  constructor(
    private readonly ws: ServerWebSocket<SocketData>,
    private readonly init: DocSocketInit,
    private readonly deps: { services: Services; log: Logger },
    private readonly expiry: ExpiryWheel,
  ) {
    this.userId = init.auth.userId;
    expiry.add(this, init.auth.exp);
    this.queue = this.start().catch((err) => this.refuse(err));
  }

  private async start() {
    const caller = { id: this.init.auth.userId, username: this.init.auth.username };
    const handle = await this.deps.services.docs.openSession(caller, this.init.documentId, this, (d) => {
      // As y-websocket's server does: our state vector (the client answers with what we lack), then who is here.
      this.ws.send(syncFrame(SYNC_STEP1, Y.encodeStateVector(d.doc)));
      const states = d.awarenessState();
      if (states) this.ws.send(awarenessFrame(states));
    });
    if (this.closed) handle.leave();
    else this.handle = handle;
  }

  send(relay: Relay) {
    if (!this.closed) this.ws.send(relay.frame);
  }

  end(reason: EndReason) {
    if (this.closed) return;
    this.ws.send(errorFrame(`${reason.code}: ${reason.message}`));
    this.ws.close(CLOSE_GONE, reason.message);
  }

  expire() {
    this.ws.close(CLOSE_CODES.tokenExpired, 'access token expired');
  }

  onMessage(raw: string | Buffer) {
    if (typeof raw === 'string') return this.error('BAD_REQUEST: y-websocket frames are binary');
    const frame = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice();
    this.queue = this.queue.then(() =>
      this.handle && !this.closed ? this.handleFrame(this.handle, frame).catch((err) => this.report(err)) : undefined,
    );
  }

  onClose() {
    this.closed = true;
    this.expiry.remove(this, this.init.auth.exp);
    this.handle?.leave();
    this.handle = null;
  }

  private async handleFrame(handle: DocHandle, frame: Uint8Array) {
    let type: number;
    let sub = -1;
    let payload: Uint8Array | null = null;
    try {
      const decoder = decoding.createDecoder(frame);
      type = decoding.readVarUint(decoder);
      if (type === MESSAGE_SYNC) {
        sub = decoding.readVarUint(decoder);
        payload = decoding.readVarUint8Array(decoder);
      } else if (type === MESSAGE_AWARENESS) {
        payload = decoding.readVarUint8Array(decoder);
      }
    } catch {
      return this.error('BAD_REQUEST: malformed frame');
    }
    if (type === MESSAGE_SYNC && sub === SYNC_STEP1) {
      let diff: Uint8Array;
      try {
        diff = Y.encodeStateAsUpdate(handle.doc.doc, payload!);
      } catch {
        return this.error('BAD_REQUEST: malformed state vector');
      }
      return void this.ws.send(syncFrame(SYNC_STEP2, diff));
    }
    if (type === MESSAGE_SYNC && (sub === SYNC_STEP2 || sub === SYNC_UPDATE)) {
      // Queued for its transaction in arrival order right here; not awaited, so a burst of
      // updates from one editor shares a group commit instead of waiting one by one.
      return void handle.push(payload!).catch((err) => this.report(err));
    }
    if (type === MESSAGE_AWARENESS) return void (await handle.awareness(payload!));
    if (type === MESSAGE_QUERY_AWARENESS) {
      const states = handle.doc.awarenessState();
      return void (states && this.ws.send(awarenessFrame(states)));
    }
    this.error(`BAD_REQUEST: unknown message type ${type}${type === MESSAGE_SYNC ? `/${sub}` : ''}`);
  }

  private report(err: unknown) {
    if (err instanceof DomainError) return this.error(`${err.code}: ${err.message}`);
    this.deps.log.error('document frame failed', { error: err });
    this.error('INTERNAL_SERVER_ERROR: could not apply the update');
  }

  private error(reason: string) {
    if (!this.closed) this.ws.send(errorFrame(reason));
  }

  private refuse(err: unknown) {
    if (!(err instanceof DomainError)) this.deps.log.error('document socket start failed', { error: err });
    const message = err instanceof DomainError ? err.message : 'Internal server error';
    this.error(`${err instanceof DomainError ? err.code : 'INTERNAL_SERVER_ERROR'}: ${message}`);
    this.ws.close(err instanceof DomainError ? CLOSE_GONE : 1011, message);
  }
}
