import type { ServerWebSocket } from 'bun';
import { CLOSE_CODES } from '../../shared/close-codes.ts';
import { GatewayFrame, type GatewayError } from '../../shared/gateway.ts';
import type { AccessClaims } from '../auth/tokens.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Services } from '../services/index.ts';
import type { LiveSource, Sink } from '../realtime/sink.ts';
import type { ExpiryWheel } from './expiry.ts';
import type { GatewayLike, SocketData } from './websocket.ts';

/** What an accepted gateway upgrade carries into the socket. */
export interface GatewayInit {
  auth: AccessClaims;
  target: { kind: 'channel'; channelId: string } | { kind: 'dm'; userId: string };
  lastEventId: number | null;
}

const json = (status: number, message: string) =>
  new Response(JSON.stringify({ type: 'error', message }), { status, headers: { 'content-type': 'application/json' } });

/**
 * The compatibility gateway: the original raw JSON protocol on /ws/channel/:channel_id and
 * /ws/dm/:user_id, with the token in the query string (so URLs are never logged). It shares
 * persistence, the bus, presence and authorization with the tRPC side.
 */
export function createGateway(deps: { services: Services; log: Logger }) {
  const { services } = deps;

  /** Checks the token and the target before upgrading: refusals are plain HTTP errors. */
  async function accept(_req: Request, url: URL): Promise<GatewayInit | Response> {
    const m = /^\/ws\/(channel|dm)\/([0-9a-f-]{36})$/i.exec(url.pathname);
    if (!m) return json(404, 'not found');
    const token = url.searchParams.get('token');
    if (!token) return json(401, 'token required');
    const last = url.searchParams.get('last_event_id');
    if (last !== null && !/^\d{1,15}$/.test(last)) return json(400, 'last_event_id must be a stream sequence');
    try {
      const auth = await services.tokens.verify(token);
      const id = m[2]!.toLowerCase();
      if (m[1] === 'channel') await services.access.channelFor(id, auth.userId);
      else if (id === auth.userId) return json(400, 'Direct messages need another user');
      else await services.users.byId(id);
      const target = m[1] === 'channel' ? { kind: 'channel' as const, channelId: id } : { kind: 'dm' as const, userId: id };
      return { auth, target, lastEventId: last === null ? null : Number(last) };
    } catch (err) {
      if (err instanceof DomainError) return json(err.code === 'UNAUTHORIZED' ? 401 : 404, err.message);
      throw err;
    }
  }

  function open(ws: ServerWebSocket<SocketData>, init: GatewayInit, expiry: ExpiryWheel): GatewayLike {
    return new GatewayConnection(ws, init, deps, expiry);
  }

  return { accept, open };
}

class GatewayConnection implements GatewayLike {
  private readonly id = crypto.randomUUID();
  private readonly caller: { id: string; username: string };
  private close: (() => void) | null = null;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: ServerWebSocket<SocketData>,
    private readonly init: GatewayInit,
    private readonly deps: { services: Services; log: Logger },
    private readonly expiry: ExpiryWheel,
  ) {
    this.caller = { id: init.auth.userId, username: init.auth.username };
    expiry.add(this, init.auth.exp);
    void this.start().catch((err) => this.refuse(err));
  }

  private async start() {
    const { realtime, access } = this.deps.services;
    await realtime.connected(this.caller, this.id);
    const t = this.init.target;
    let stream: LiveSource;
    if (t.kind === 'channel') {
      const { channel } = await access.channelFor(t.channelId, this.caller.id);
      stream = realtime.channel(this.caller, channel, this.init.lastEventId);
    } else {
      stream = await realtime.dm(this.caller, t.userId, this.init.lastEventId);
    }
    const ws = this.ws;
    const sink: Sink = {
      userId: this.caller.id,
      shareKey: 'raw',
      started() {},
      frame: (_id, json) => json,
      deliver: (_id, json) => void ws.send(json),
      joinTopic: (topic) => void ws.subscribe(topic),
      leaveTopic: (topic) => void (ws.readyState === 1 && ws.unsubscribe(topic)),
      end: (reason) => {
        ws.send(JSON.stringify({ type: 'error', message: reason.message }));
        ws.close(CLOSE_CODES.streamEnded, reason.message);
      },
    };
    const close = await stream.open(sink);
    if (this.closed) close();
    else this.close = close;
  }

  onMessage(raw: string | Buffer) {
    let frame: GatewayFrame;
    try {
      const parsed = GatewayFrame.safeParse(JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return this.error(`${issue.path.join('.') || 'frame'}: ${issue.message}`);
      }
      frame = parsed.data;
    } catch {
      return this.error('frame is not JSON');
    }
    // One frame at a time, in arrival order: an ICE candidate must not overtake its answer, nor a
    // typing `false` its `true`, while the one before waits on the database.
    this.queue = this.queue.then(() =>
      this.handle(frame).catch((err) => {
        if (err instanceof DomainError) return this.error(err.message);
        this.deps.log.error('gateway frame failed', { error: err });
        this.error('Internal server error');
      }),
    );
  }

  expire() {
    this.ws.close(CLOSE_CODES.tokenExpired, 'access token expired');
  }

  onClose() {
    this.closed = true;
    this.expiry.remove(this, this.init.auth.exp);
    this.close?.();
    void this.deps.services.realtime
      .disconnected(this.caller, this.id)
      .catch((error) => this.deps.log.warn('presence leave failed', { error }));
  }

  private async handle(frame: GatewayFrame) {
    const { messages, dms, realtime } = this.deps.services;
    const t = this.init.target;
    const wrongSocket = () => this.error(`"${frame.type}" is not accepted on a ${t.kind} socket`);
    switch (frame.type) {
      case 'message':
        if (t.kind !== 'channel') return wrongSocket();
        return void (await messages.send(this.caller, { channelId: t.channelId, content: frame.content, nonce: frame.nonce }));
      case 'typing':
        if (t.kind !== 'channel') return wrongSocket();
        return realtime.typing(this.caller, t.channelId, frame.is_typing);
      case 'dm_message':
        if (t.kind !== 'dm') return wrongSocket();
        return void (await dms.send(this.caller, { userId: t.userId, content: frame.content, nonce: frame.nonce }));
      case 'dm_typing':
        if (t.kind !== 'dm') return wrongSocket();
        return realtime.dmTyping(this.caller, t.userId, frame.is_typing);
      default: {
        const type = frame.type.replace('webrtc_', '') as 'offer' | 'answer' | 'ice_candidate';
        const where = t.kind === 'channel' ? { channel_id: t.channelId } : { user_id: t.userId };
        return realtime.signal(this.caller, { ...where, target_user_id: frame.target_user_id, type, data: frame.data });
      }
    }
  }

  private error(message: string) {
    const frame: GatewayError = { type: 'error', message };
    if (!this.closed) this.ws.send(JSON.stringify(frame));
  }

  private refuse(err: unknown) {
    if (!(err instanceof DomainError)) this.deps.log.error('gateway start failed', { error: err });
    this.error(err instanceof DomainError ? err.message : 'Internal server error');
    this.ws.close(CLOSE_CODES.streamFailed, 'could not open the stream');
  }
}
