import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { AWARENESS_RULE } from '../../ratelimit/bucket.ts';
import { awarenessFrame, syncFrame } from '../../services/docs/codec.ts';
import { wsClient } from '../helpers/clients.ts';
import { Closer, users, type Registered } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { b64, describeFrame, eventually, rawDocSocket, TrpcDoc } from './support.ts';

/**
 * Awareness (cursor moves) is limited per user like typing: a burst, then a steady rate, floods
 * dropped on both transports without holding up anyone else. The message limit is off here
 * (as in every test server): the awareness limit must not depend on it.
 */
setDefaultTimeout(60_000);

let server: TestServer;
let owner: Registered;
let observer: Registered;
let groupId: string;
const closer = new Closer();
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_MESSAGES: 'off' });
  [owner, observer] = (await users(server.url, 'owner', 'observer')) as [Registered, Registered];
  groupId = (await owner.client.groups.create.mutate({ name: 'cursors' })).id;
  await owner.client.groups.addMember.mutate({ group_id: groupId, user_id: observer.id });
}, 180_000);
afterEach(() => {
  closer.closeAll();
  for (const c of cleanups.splice(0)) c();
});
afterAll(() => server?.stop(), 30_000);

async function member(prefix: string): Promise<Registered> {
  const [u] = (await users(server.url, prefix)) as [Registered];
  await owner.client.groups.addMember.mutate({ group_id: groupId, user_id: u.id });
  return u;
}

/** The observer's editor, counting the awareness changes it receives per client id. */
async function watch(documentId: string) {
  const ws = closer.add(wsClient(server.url, observer.token));
  const d = new TrpcDoc(ws.api, documentId);
  cleanups.push(() => d.close());
  await d.synced;
  const seen = new Map<number, number>();
  /** The cursor positions (`cursorMoves` indices) received per client id. */
  const positions = new Map<number, number[]>();
  d.awareness.on('update', ({ added, updated }: { added: number[]; updated: number[] }) => {
    for (const id of [...added, ...updated]) {
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const at = (d.awareness.getStates().get(id) as { cursor?: { at: number } } | undefined)?.cursor?.at;
      if (at !== undefined) positions.set(id, [...(positions.get(id) ?? []), at]);
    }
  });
  return { d, seen, positions };
}

/** `n` successive states of one awareness client: each a real change (a moving cursor). */
function cursorMoves(n: number) {
  const doc = new Y.Doc();
  const awareness = new awarenessProtocol.Awareness(doc);
  const updates = Array.from({ length: n }, (_, i) => {
    awareness.setLocalStateField('cursor', { at: i });
    return awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
  });
  cleanups.push(() => (awareness.destroy(), doc.destroy()));
  return { clientId: doc.clientID, updates };
}

/** What the bucket can let through in `seconds`: the burst, the refill, and one for rounding. */
const allowance = (seconds: number) => AWARENESS_RULE.burst + Math.ceil(seconds * AWARENESS_RULE.perSecond) + 1;

/** Another user's cursor still gets through: the flood hurt no one else. */
async function othersUnaffected(documentId: string, seen: Map<number, number>) {
  const bystander = await member('bystander');
  const { clientId, updates } = cursorMoves(1);
  await bystander.client.docs.awareness.mutate({ document_id: documentId, update: b64(updates[0]!) });
  await eventually(() => seen.get(clientId) === 1, 10_000, 'the bystander’s cursor');
}

describe('awareness floods', () => {
  test('docs.awareness: past the burst the calls are TOO_MANY_REQUESTS and nothing is relayed', async () => {
    const flooder = await member('trpcflood');
    const doc = await owner.client.docs.create.mutate({ group_id: groupId, title: 'flooded' });
    const { seen, positions } = await watch(doc.id);
    const { clientId, updates } = cursorMoves(200);

    const begun = performance.now();
    const outcomes: string[] = [];
    for (let i = 0; i < updates.length; i += 20) {
      const wave = updates.slice(i, i + 20).map((u) => flooder.client.docs.awareness.mutate({ document_id: doc.id, update: b64(u) }));
      for (const r of await Promise.allSettled(wave))
        outcomes.push(r.status === 'fulfilled' ? 'ok' : ((r.reason as { data?: { code?: string } }).data?.code ?? String(r.reason)));
    }
    const seconds = (performance.now() - begun) / 1000;
    const ok = outcomes.filter((o) => o === 'ok').length;
    expect(outcomes.every((o) => o === 'ok' || o === 'TOO_MANY_REQUESTS')).toBe(true);
    expect(ok).toBeGreaterThanOrEqual(AWARENESS_RULE.burst);
    expect(ok).toBeLessThanOrEqual(allowance(seconds));

    // Only accepted updates are relayed, never a refused one. (Calls that run at once may apply out
    // of order: an update older than one already applied changes nothing, as awareness is
    // last-writer-wins by clock, so it is not relayed either.)
    await othersUnaffected(doc.id, seen);
    const accepted = new Set(outcomes.flatMap((o, i) => (o === 'ok' ? [i] : [])));
    const relayed = positions.get(clientId) ?? [];
    expect(relayed.length).toBeGreaterThan(0);
    expect(relayed.filter((at) => !accepted.has(at))).toEqual([]);
    expect(relayed.length).toBeLessThanOrEqual(ok);
  });

  test('the y-websocket socket: a flood is dropped quietly past the burst, and the socket stays usable', async () => {
    const flooder = await member('sockflood');
    const doc = await owner.client.docs.create.mutate({ group_id: groupId, title: 'flooded too' });
    const { seen } = await watch(doc.id);
    const sock = rawDocSocket(server.url, doc.id, flooder.token);
    await sock.opened;
    await sock.frames.until((f) => f.length > 0);
    const { clientId, updates } = cursorMoves(200);

    const begun = performance.now();
    // (Copied into a plain ArrayBuffer, as WebSocket.send's types ask.)
    const send = (frame: Uint8Array) => sock.ws.send(new Uint8Array(frame));
    for (const u of updates) send(awarenessFrame(u));
    // Frames are handled in order: once the sync request sent last is answered, the flood has been handled.
    const from = sock.frames.items.length;
    send(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
    const answered = (f: Uint8Array) => describeFrame(f).type === 0 && describeFrame(f).sub === 1;
    await sock.frames.until((items) => items.slice(from).some(answered), 30_000, 'the answer to the last frame');
    const seconds = (performance.now() - begun) / 1000;
    await othersUnaffected(doc.id, seen);
    const relayed = seen.get(clientId) ?? 0;
    expect(relayed).toBeGreaterThanOrEqual(AWARENESS_RULE.burst);
    expect(relayed).toBeLessThanOrEqual(allowance(seconds));
    expect(sock.ws.readyState).toBe(WebSocket.OPEN);
  });
});
