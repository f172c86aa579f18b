// Wire dialects of the four targets. Each knows how to get a connection from "TCP open" to
// "ready" (subscribed, or authenticated for a sender) and how to encode one send. The hot path
// (recognising a delivery) is protocol-independent: every delivery and every ack carries the
// payload marker, so the worker never needs to parse the envelope around it.
import type { WsConn } from './wsclient.ts';

export type ProtocolName = 'raw' | 'trpc' | 'parley' | 'socketio';
export type Role = 'sub' | 'send';

/** Per-connection state the protocols and the worker share. */
export type ConnState = {
  role: Role;
  room: string;
  token?: string;
  /** server port of this connection (a cluster has several); the pool's port when unset */
  port?: number;
  ready: boolean;
  nextId: number; // next tRPC request id (1 is the subscription)
  inflight: number; // sends not yet acknowledged (ack protocols only)
  sawStarted: boolean;
};

export interface Protocol {
  /** Request path for the upgrade. */
  path: string;
  /** Whether a send is answered with an ack that echoes the content. */
  acks: boolean;
  /** Called once the WebSocket is open. Returns true if the connection is ready right away. */
  open(c: WsConn, st: ConnState): boolean;
  /** A frame during setup. Returns "ready", an error string, or null to keep waiting. */
  setup(c: WsConn, st: ConnState, text: string): 'ready' | string | null;
  /** A non-delivery frame after setup (keepalives, errors). Returns an error string or null. */
  idle(c: WsConn, text: string): string | null;
  /** Encodes one send of `content` to the connection's room. */
  send(st: ConnState, content: string): string;
}

const q = JSON.stringify;

/** tRPC JSON-RPC-ish envelope shared by the tRPC peer and Parley. */
function trpcSetup(st: ConnState, text: string, readyOn: 'started' | 'first-data'): 'ready' | string | null {
  if (text.includes('"error"')) return `server error: ${text.slice(0, 300)}`;
  if (st.role === 'send') return null;
  if (text.includes('"started"')) {
    st.sawStarted = true;
    return readyOn === 'started' ? 'ready' : null;
  }
  // Parley yields online_users first; once it arrives the live listener is attached.
  if (st.sawStarted && text.includes('"data"')) return 'ready';
  return null;
}

function trpcIdle(c: WsConn, text: string): string | null {
  if (text === 'PING') c.sendText('PONG');
  else if (text.includes('"error"')) return text.slice(0, 300);
  return null;
}

const raw: Protocol = {
  path: '/',
  acks: false,
  open(c, st) {
    if (st.role === 'send') return true;
    c.sendText(q({ join: st.room }));
    return false;
  },
  setup: (_c, _st, text) => (text.includes('"joined"') ? 'ready' : text.includes('"error"') ? text : null),
  idle: () => null,
  send: (st, content) => `{"room":${q(st.room)},"content":${q(content)}}`,
};

const trpc: Protocol = {
  path: '/',
  acks: true,
  open(c, st) {
    if (st.role === 'send') return true;
    c.sendText(q({ id: 1, method: 'subscription', params: { path: 'onMessage', input: { room: st.room } } }));
    return false;
  },
  setup: (_c, st, text) => trpcSetup(st, text, 'started'),
  idle: trpcIdle,
  send: (st, content) =>
    `{"id":${st.nextId++},"method":"mutation","params":{"path":"send","input":{"room":${q(st.room)},"content":${q(content)}}}}`,
};

const parley: Protocol = {
  path: '/trpc?connectionParams=1',
  acks: true,
  open(c, st) {
    c.sendText(q({ method: 'connectionParams', data: { token: st.token } }));
    if (st.role === 'send') return true;
    c.sendText(q({ id: 1, method: 'subscription', params: { path: 'realtime.channel', input: { channel_id: st.room } } }));
    return false;
  },
  setup: (_c, st, text) => trpcSetup(st, text, 'first-data'),
  idle: trpcIdle,
  send: (st, content) =>
    `{"id":${st.nextId++},"method":"mutation","params":{"path":"messages.send","input":{"channel_id":${q(st.room)},"content":${q(content)}}}}`,
};

// Engine.IO v4 over a bare WebSocket: "0{...}" open, "40" namespace connect, "2"/"3" ping/pong,
// "42[...]" event, "421[...]" event with ack id 1, "431[...]" its ack.
const socketio: Protocol = {
  path: '/socket.io/?EIO=4&transport=websocket',
  acks: false,
  open: () => false,
  setup(c, st, text) {
    if (text === '2') {
      c.sendText('3');
      return null;
    }
    if (text.startsWith('0{')) {
      c.sendText('40');
      return null;
    }
    if (text.startsWith('40')) {
      if (st.role === 'send') return 'ready';
      c.sendText(`421${q(['join', st.room])}`);
      return null;
    }
    if (text.startsWith('431')) return 'ready';
    if (text.startsWith('44')) return `connect error: ${text}`;
    return null;
  },
  idle(c, text) {
    if (text === '2') c.sendText('3');
    return null;
  },
  send: (st, content) => `42["send",{"room":${q(st.room)},"content":${q(content)}}]`,
};

export const PROTOCOLS: Record<ProtocolName, Protocol> = { raw, trpc, parley, socketio };
