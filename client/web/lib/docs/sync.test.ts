import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { createParleyClient, TRPCClientError, type ParleyClient } from '../../../index.ts';
import { eventually } from '../../../../server/test/helpers/events.ts';
import { users, type Registered } from '../../../../server/test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../../../server/test/helpers/server.ts';
import { docUser, userColor } from './colors.ts';
import { DocSync, type DocApi, type DocSyncState } from './sync.ts';

setDefaultTimeout(30_000);

let server: TestServer;
let alice: Registered;
let bob: Registered;
let carol: Registered;
let groupId: string;
const open: Array<{ close(): void }> = [];

beforeAll(async () => {
  server = await startTestServer();
  [alice, bob, carol] = (await users(server.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
  groupId = (await alice.client.groups.create.mutate({ name: 'writers' })).id;
  await alice.client.groups.addMember.mutate({ group_id: groupId, user_id: bob.id });
}, 120_000);
afterEach(() => {
  for (const o of open.splice(0).reverse()) o.close();
});
afterAll(() => server?.stop(), 30_000);

/** Sockets the app's client opened, so a test can drop one as a flaky network would. */
class TrackedSocket extends WebSocket {
  static all: TrackedSocket[] = [];
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    TrackedSocket.all.push(this);
  }
}

/** The app's own client (token, shared socket), as the web app builds it. */
function clientOf(user: Registered): ParleyClient {
  const api = createParleyClient({ url: server.url, token: user.token, WebSocket: TrackedSocket });
  open.push({ close: () => api.close() });
  return api;
}

const networkDown = () => TRPCClientError.from(new TypeError('Failed to fetch'));

/** The client with its pushes failing as an unreachable server's would while `offline()` says so, and its cursor sends counted. */
function flaky(api: ParleyClient, offline: () => boolean) {
  const counts = { pushes: 0, awareness: 0 };
  const wrapped = {
    realtime: api.realtime,
    docs: {
      push: { mutate: (input: never) => (counts.pushes++, offline() ? Promise.reject(networkDown()) : api.docs.push.mutate(input)) },
      awareness: { mutate: (input: never) => (counts.awareness++, api.docs.awareness.mutate(input)) },
    },
  } as unknown as DocApi;
  return { api: wrapped, counts };
}

function editor(user: Registered, documentId: string, api: DocApi = clientOf(user), opts = {}) {
  const sync = new DocSync(api, documentId, docUser(user), opts);
  open.push({ close: () => sync.destroy() });
  return sync;
}

/** Resolves when the editor's state satisfies `pred` (it reports every change). */
function until(sync: DocSync, pred: (s: DocSyncState) => boolean, what: string, timeoutMs = 10_000) {
  return new Promise<DocSyncState>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify({ ...sync.getSnapshot(), peers: undefined })}`));
    }, timeoutMs);
    const check = () => {
      const s = sync.getSnapshot();
      if (!pred(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    };
    const off = sync.subscribe(check);
    check();
  });
}

const newDoc = async (content?: string) => (await alice.client.docs.create.mutate({ group_id: groupId, title: 'notes', content })).id;
const serverText = async (id: string) => (await alice.client.docs.get.query({ document_id: id })).content;

describe('DocSync over the app’s tRPC client', () => {
  test('two editors typing at once converge, save, and see each other by name and colour', async () => {
    const id = await newDoc('start');
    const a = editor(alice, id);
    const b = editor(bob, id);
    await Promise.all([until(a, (s) => s.loaded, 'a loaded'), until(b, (s) => s.loaded, 'b loaded')]);
    expect(a.text.toString()).toBe('start');

    // Interleaved, each on its own side of the text, across several event-loop turns.
    for (let i = 0; i < 30; i++) {
      a.text.insert(a.text.length, ` a${i}`);
      b.text.insert(0, `b${i} `);
      if (i % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    await eventually(() => a.text.toString() === b.text.toString() && a.text.length > 150, 10_000, 'convergence');
    const text = a.text.toString();
    for (let i = 0; i < 30; i++) {
      expect(text).toContain(` a${i}`);
      expect(text).toContain(`b${i} `);
    }
    expect(text).toContain('start');
    await Promise.all([until(a, (s) => s.status === 'synced', 'a synced'), until(b, (s) => s.status === 'synced', 'b synced')]);
    expect(await serverText(id)).toBe(text);

    const seen = await until(a, (s) => s.peers.length === 2, 'both peers');
    expect(seen.peers.map((p) => [p.name, p.color, p.me])).toEqual([
      [alice.username, userColor(alice.id), true],
      [bob.username, userColor(bob.id), false],
    ]);
  });

  test('a burst of cursor moves is coalesced, and the last position still arrives', async () => {
    const id = await newDoc('x'.repeat(300));
    const { api, counts } = flaky(clientOf(alice), () => false);
    const a = editor(alice, id, api);
    const b = editor(bob, id);
    await Promise.all([until(a, (s) => s.loaded, 'a loaded'), until(b, (s) => s.loaded, 'b loaded')]);
    const before = counts.awareness;
    for (let i = 0; i < 200; i++) a.awareness.setLocalStateField('cursor', { at: i });
    const cursorOfA = () => (b.awareness.getStates().get(a.doc.clientID) as { cursor?: { at: number } } | undefined)?.cursor?.at;
    await eventually(() => cursorOfA() === 199, 5000, 'the last cursor position');
    // One at once, one when the interval ends: far below the server's bucket (a burst of 60, then 20 a second).
    expect(counts.awareness - before).toBeLessThanOrEqual(3);
  });

  test('edits made while the server cannot be reached are kept, shown offline, and sent when it is back', async () => {
    const id = await newDoc('');
    let offline = false;
    const { api, counts } = flaky(clientOf(alice), () => offline);
    const a = editor(alice, id, api, { retryMs: 50 });
    const b = editor(bob, id);
    await Promise.all([until(a, (s) => s.loaded, 'a loaded'), until(b, (s) => s.loaded, 'b loaded')]);

    offline = true;
    a.text.insert(0, 'written offline');
    await until(a, (s) => s.status === 'offline', 'offline');
    await eventually(() => counts.pushes >= 3, 5000, 'retries');
    expect(b.text.toString()).toBe('');
    offline = false;
    await until(a, (s) => s.status === 'synced', 'synced again');
    await eventually(() => b.text.toString() === 'written offline', 5000, 'the edit reaching bob');
    expect(await serverText(id)).toBe('written offline');
  });

  test('after the socket drops, the fresh state tells what the server lacks, and that is sent', async () => {
    const id = await newDoc('base');
    let offline = false;
    const { api } = flaky(clientOf(alice), () => offline);
    const first = TrackedSocket.all.length;
    // Retries far away: only the resubscription's state can bring the edit through.
    const a = editor(alice, id, api, { retryMs: 60_000 });
    await until(a, (s) => s.loaded, 'a loaded');
    const aliceSocket = TrackedSocket.all[first]!;
    const b = editor(bob, id);
    await until(b, (s) => s.loaded, 'b loaded');
    offline = true;
    a.text.insert(4, ' and more');
    b.text.insert(0, 'bob: ');
    await until(a, (s) => s.status === 'offline', 'offline');
    offline = false;
    aliceSocket.close();
    await eventually(() => a.text.toString() === 'bob: base and more' && b.text.toString() === a.text.toString(), 10_000, 'convergence');
    await until(a, (s) => s.status === 'synced', 'synced');
    expect(await serverText(id)).toBe('bob: base and more');
  });

  test('leaving takes the cursor away for the others', async () => {
    const id = await newDoc();
    const a = editor(alice, id);
    const b = editor(bob, id);
    await until(b, (s) => s.peers.some((p) => p.name === alice.username), 'alice here');
    a.destroy();
    await until(b, (s) => s.peers.every((p) => p.name !== alice.username), 'alice gone');
  });

  test('the session ends with NOT_FOUND when the document is deleted, and when the user leaves the group', async () => {
    const deleted = await newDoc();
    const b = editor(bob, deleted);
    await until(b, (s) => s.loaded, 'loaded');
    await alice.client.docs.delete.mutate({ document_id: deleted });
    expect((await until(b, (s) => s.ended !== null, 'ended')).ended!.code).toBe('NOT_FOUND');

    const kept = await newDoc();
    const b2 = editor(bob, kept);
    await until(b2, (s) => s.loaded, 'loaded');
    await alice.client.groups.removeMember.mutate({ group_id: groupId, user_id: bob.id });
    expect((await until(b2, (s) => s.ended !== null, 'ended')).ended!.code).toBe('NOT_FOUND');
    await alice.client.groups.addMember.mutate({ group_id: groupId, user_id: bob.id });
  });

  test('someone outside the group never gets the document', async () => {
    const id = await newDoc('secret');
    const c = editor(carol, id);
    const s = await until(c, (st) => st.ended !== null, 'ended');
    expect(s.ended!.code).toBe('NOT_FOUND');
    expect(s.loaded).toBe(false);
    expect(c.text.toString()).toBe('');
  });
});
