import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { DOC_LIMITS } from '../../../shared/docs.ts';
import { docStream } from '../../realtime/streams.ts';
import { wsClient } from '../helpers/clients.ts';
import { Closer, mintToken, users, type Registered } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { b64, describeFrame, tailRows, eventually, nextError, provider, rawDocSocket, TrpcDoc } from './support.ts';

setDefaultTimeout(30_000);

let server: TestServer;
let alice: Registered;
let bob: Registered;
let carol: Registered;
let groupId: string;
const closer = new Closer();
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, carol] = (await users(server.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
  const group = await alice.client.groups.create.mutate({ name: 'writers' });
  groupId = group.id;
  await alice.client.groups.addMember.mutate({ group_id: groupId, user_id: bob.id });
}, 180_000);
afterEach(() => {
  closer.closeAll();
  for (const c of cleanups.splice(0)) c();
});
afterAll(() => server?.stop(), 30_000);

const newDoc = async (content?: string) => alice.client.docs.create.mutate({ group_id: groupId, title: 'notes', content });
function trpcDoc(user: Registered, documentId: string) {
  const ws = closer.add(wsClient(server.url, user.token));
  const d = new TrpcDoc(ws.api, documentId);
  cleanups.push(() => d.close());
  return d;
}
function stockProvider(user: Registered, documentId: string) {
  const p = provider(server.url, documentId, user.token);
  cleanups.push(() => p.close());
  return p;
}

describe('two transports on one document', () => {
  test('a stock y-websocket provider and a tRPC client converge, and see each other’s awareness', async () => {
    const created = await newDoc('hello');
    const viaSocket = stockProvider(alice, created.id);
    const viaTrpc = trpcDoc(bob, created.id);
    await Promise.all([viaSocket.synced, viaTrpc.synced]);
    expect(viaSocket.text.toString()).toBe('hello');
    expect(viaTrpc.text.toString()).toBe('hello');

    viaSocket.text.insert(5, ' world');
    viaTrpc.text.insert(0, '> ');
    await eventually(() => viaSocket.text.toString() === viaTrpc.text.toString() && viaSocket.text.length === 13, 10_000, 'convergence');
    expect(viaSocket.text.toString()).toBe('> hello world');

    // Cursors and names: each side sees the other's state.
    viaSocket.provider.awareness.setLocalStateField('user', { name: 'alice' });
    viaTrpc.awareness.setLocalStateField('user', { name: 'bob' });
    const names = (states: Map<number, any>) =>
      [...states.values()]
        .map((s) => s.user?.name)
        .filter(Boolean)
        .sort();
    await eventually(() => names(viaTrpc.awareness.getStates()).join() === 'alice,bob', 10_000, 'awareness on tRPC');
    await eventually(() => names(viaSocket.provider.awareness.getStates()).join() === 'alice,bob', 10_000, 'awareness on the socket');

    // Persisted: a fresh read has the merged text.
    await viaTrpc.flushed();
    await eventually(async () => (await alice.client.docs.get.query({ document_id: created.id })).content === '> hello world', 10_000);
    // doc_update events name their author (the tRPC client also gets its own pushes back, harmlessly).
    const authors = new Set(viaTrpc.events.items.filter((e) => e.type === 'doc_update').map((e) => e.user_id));
    expect(authors.has(alice.id)).toBe(true);
    expect([...authors].every((id) => id === alice.id || id === bob.id)).toBe(true);
  });

  test('the socket client leaving removes its cursor for the tRPC client', async () => {
    const created = await newDoc();
    const viaSocket = stockProvider(alice, created.id);
    const viaTrpc = trpcDoc(bob, created.id);
    await Promise.all([viaSocket.synced, viaTrpc.synced]);
    viaSocket.provider.awareness.setLocalStateField('user', { name: 'alice' });
    const clientId = viaSocket.doc.clientID;
    await eventually(() => viaTrpc.awareness.getStates().has(clientId), 10_000, 'awareness');
    viaSocket.provider.disconnect();
    await eventually(() => !viaTrpc.awareness.getStates().has(clientId), 10_000, 'cursor removed');
  });

  test('docs.setContent is applied as a diff: a concurrent editor’s insert survives', async () => {
    const created = await newDoc('The quick brown fox');
    const editor = stockProvider(bob, created.id);
    await editor.synced;
    // Bob types at the end (offline for a moment, so the save cannot have seen it) while Alice
    // "saves" a version that only changed the first word; then Bob's editor reconnects.
    editor.provider.disconnect();
    editor.text.insert(editor.text.length, ' jumps');
    const saved = await alice.client.docs.setContent.mutate({ document_id: created.id, content: 'A quick brown fox' });
    expect(saved.content).toBe('A quick brown fox');
    editor.provider.connect();
    await eventually(
      async () => (await alice.client.docs.get.query({ document_id: created.id })).content === 'A quick brown fox jumps',
      10_000,
    );
    await eventually(() => editor.text.toString() === 'A quick brown fox jumps', 10_000, 'editor merged the save');
  });
});

describe('refusals on the socket keep it usable', () => {
  const update = (text: string) => {
    const d = new Y.Doc();
    d.getText('content').insert(0, text);
    return Y.encodeStateAsUpdate(d);
  };
  const syncUpdateFrame = (payload: Uint8Array) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, payload);
    return encoding.toUint8Array(e);
  };

  test('malformed and oversized updates get an error frame, change nothing, and the next update works', async () => {
    const created = await newDoc('base');
    const s = rawDocSocket(server.url, created.id, alice.token);
    await s.opened;
    // The server greets with sync step 1.
    await s.frames.until((f) => f.some((x) => describeFrame(x).type === 0));

    let from = s.frames.items.length;
    s.ws.send(syncUpdateFrame(new Uint8Array([1, 200, 3, 4, 5, 250, 251])));
    expect(await nextError(s.frames, from)).toMatch(/^BAD_REQUEST/);

    from = s.frames.items.length;
    s.ws.send(new Uint8Array([0, 2, 200]));
    expect(await nextError(s.frames, from)).toMatch(/^BAD_REQUEST/);

    from = s.frames.items.length;
    s.ws.send(new Uint8Array([7]));
    expect(await nextError(s.frames, from)).toMatch(/^BAD_REQUEST/);

    from = s.frames.items.length;
    s.ws.send('{"type":"text"}');
    expect(await nextError(s.frames, from)).toMatch(/^BAD_REQUEST/);

    from = s.frames.items.length;
    s.ws.send(syncUpdateFrame(update('x'.repeat(DOC_LIMITS.updateMaxBytes + 10))));
    expect(await nextError(s.frames, from)).toMatch(/^PAYLOAD_TOO_LARGE/);

    from = s.frames.items.length;
    s.ws.send(new Uint8Array([1, 5, 1, 2, 3, 4, 5]));
    expect(await nextError(s.frames, from)).toMatch(/^BAD_REQUEST/);

    expect((await alice.client.docs.get.query({ document_id: created.id })).content).toBe('base');
    expect(await tailRows(server.database, created.id)).toBe(0);

    // Still open and still working.
    const d = new Y.Doc();
    Y.applyUpdate(d, await fetchState(created.id));
    const before = Y.encodeStateVector(d);
    d.getText('content').insert(4, '!');
    s.ws.send(syncUpdateFrame(Y.encodeStateAsUpdate(d, before)));
    await eventually(async () => (await alice.client.docs.get.query({ document_id: created.id })).content === 'base!', 10_000);
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
  });

  test('docs.push refuses malformed (BAD_REQUEST) and oversized (PAYLOAD_TOO_LARGE) updates and changes nothing', async () => {
    const created = await newDoc('same');
    const api = alice.client;
    const bad = await api.docs.push
      .mutate({ document_id: created.id, update: b64(new Uint8Array([1, 200, 3, 4, 5, 250])) })
      .catch((e) => e);
    expect(bad.data.code).toBe('BAD_REQUEST');
    const notBase64 = await api.docs.push.mutate({ document_id: created.id, update: '***' }).catch((e) => e);
    expect(notBase64.data.code).toBe('BAD_REQUEST');
    const big = new Uint8Array(DOC_LIMITS.updateMaxBytes + 1);
    const tooBig = await api.docs.push.mutate({ document_id: created.id, update: b64(big) }).catch((e) => e);
    expect(tooBig.data.code).toBe('PAYLOAD_TOO_LARGE');
    const badAwareness = await api.docs.awareness.mutate({ document_id: created.id, update: b64(new Uint8Array([3, 1])) }).catch((e) => e);
    expect(badAwareness.data.code).toBe('BAD_REQUEST');
    expect((await api.docs.get.query({ document_id: created.id })).content).toBe('same');
    expect(await tailRows(server.database, created.id)).toBe(0);
    // And a good one still goes through.
    const d = new Y.Doc();
    Y.applyUpdate(d, await fetchState(created.id));
    const sv = Y.encodeStateVector(d);
    d.getText('content').insert(0, 'the ');
    expect(await api.docs.push.mutate({ document_id: created.id, update: b64(Y.encodeStateAsUpdate(d, sv)) })).toEqual({ ok: true });
    expect((await api.docs.get.query({ document_id: created.id })).content).toBe('the same');
  });
});

describe('access on the live transports', () => {
  test('a non-member is refused on both transports with NOT_FOUND', async () => {
    const created = await newDoc();
    const res = await fetch(`${server.url}/ws/doc/${created.id}?token=${carol.token}`, {
      headers: {
        upgrade: 'websocket',
        connection: 'upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      },
    });
    expect(res.status).toBe(404);
    const noToken = await fetch(`${server.url}/ws/doc/${created.id}`, {
      headers: {
        upgrade: 'websocket',
        connection: 'upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      },
    });
    expect(noToken.status).toBe(401);
    const t = trpcDoc(carol, created.id);
    const err: any = await t.events.error();
    expect(err.data?.code).toBe('NOT_FOUND');
  });

  test('removal from the group closes the user’s editing sessions on both transports at once', async () => {
    const group = await alice.client.groups.create.mutate({ name: 'temporary' });
    await alice.client.groups.addMember.mutate({ group_id: group.id, user_id: carol.id });
    const created = await alice.client.docs.create.mutate({ group_id: group.id, title: 'plan' });
    const sock = rawDocSocket(server.url, created.id, carol.token);
    await sock.opened;
    await sock.frames.until((f) => f.length > 0);
    const t = trpcDoc(carol, created.id);
    await t.synced;
    const stays = trpcDoc(alice, created.id);
    await stays.synced;

    await alice.client.groups.removeMember.mutate({ group_id: group.id, user_id: carol.id });
    expect((await sock.closed).code).toBe(4004);
    const err: any = await t.events.error();
    expect(err.data?.code).toBe('NOT_FOUND');
    // Alice keeps editing.
    stays.text.insert(0, 'still here');
    await stays.flushed();
    expect(stays.errors).toEqual([]);
    expect((await alice.client.docs.get.query({ document_id: created.id })).content).toBe('still here');
  });

  test('an expired access token closes the document socket with 4001', async () => {
    const created = await newDoc();
    const token = await mintToken(alice, 1500);
    const s = rawDocSocket(server.url, created.id, token);
    await s.opened;
    expect((await s.closed).code).toBe(4001);
  });

  test('deleting the document ends its editing sessions', async () => {
    const created = await newDoc();
    const s = rawDocSocket(server.url, created.id, bob.token);
    await s.opened;
    await s.frames.until((f) => f.length > 0);
    await alice.client.docs.delete.mutate({ document_id: created.id });
    expect((await s.closed).code).toBe(4004);
  });
});

describe('group deletion', () => {
  test('deleting the group ends its documents’ sessions and forgets their sequence counters and updates', async () => {
    const group = await alice.client.groups.create.mutate({ name: 'short-lived' });
    const created = await alice.client.docs.create.mutate({ group_id: group.id, title: 'gone soon', content: 'one' });
    const editor = trpcDoc(alice, created.id);
    await editor.synced;
    editor.text.insert(3, ' two');
    await editor.flushed();
    const counter = sql`select count(*)::int as n from stream_counters where stream = ${docStream(created.id)}`;
    expect((await server.database.rows<{ n: number }>(counter))[0]!.n).toBe(1);
    expect(await tailRows(server.database, created.id)).toBeGreaterThan(0);

    await alice.client.groups.delete.mutate({ group_id: group.id });
    expect(((await editor.events.error(10_000)) as { data?: { code?: string } }).data?.code).toBe('NOT_FOUND');
    expect((await server.database.rows<{ n: number }>(counter))[0]!.n).toBe(0);
    expect(await tailRows(server.database, created.id)).toBe(0);
  });
});

async function fetchState(documentId: string): Promise<Uint8Array> {
  const ws = closer.add(wsClient(server.url, alice.token));
  const t = new TrpcDoc(ws.api, documentId);
  cleanups.push(() => t.close());
  await t.synced;
  return Y.encodeStateAsUpdate(t.doc);
}
