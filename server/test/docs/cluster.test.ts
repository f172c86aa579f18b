import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import fc from 'fast-check';
import * as Y from 'yjs';
import { httpClient, wsClient } from '../helpers/clients.ts';
import { startCluster, type Cluster, type Instance } from '../helpers/cluster.ts';
import { Closer, users, type Registered } from '../helpers/fixtures.ts';
import { b64, eventually, provider, TrpcDoc } from './support.ts';

/**
 * Three real instances over one PostgreSQL database and one Redis: editors on different
 * instances, on both transports, converge; a fresh load anywhere has the same state; an
 * instance killed with SIGKILL loses nothing it acknowledged.
 */

setDefaultTimeout(180_000);
const enabled = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

let cluster: Cluster;
let instances: Instance[];
let alice: Registered, bob: Registered, carol: Registered;
let groupId: string;
const closer = new Closer();

describe.skipIf(!enabled)('documents across three instances', () => {
  beforeAll(async () => {
    cluster = await startCluster({ instances: 3, env: { DOC_COMPACT_EVERY: '25' } });
    instances = cluster.instances;
    [alice, bob, carol] = (await users(instances[0]!.url, 'alice', 'bob', 'carol')) as [Registered, Registered, Registered];
    groupId = (await alice.client.groups.create.mutate({ name: 'cluster docs' })).id;
    for (const u of [bob, carol]) await alice.client.groups.addMember.mutate({ group_id: groupId, user_id: u.id });
  }, 180_000);
  afterAll(async () => {
    closer.closeAll();
    await cluster?.stop();
  }, 60_000);

  type Edit = { who: number; at: number; insert: string; del: number };
  const edit = fc.record({
    who: fc.integer({ min: 0, max: 2 }),
    at: fc.nat({ max: 1000 }),
    insert: fc.string({ maxLength: 6 }),
    del: fc.nat({ max: 3 }),
  });

  test('random concurrent edits from every instance: all replicas and a fresh load end identical', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 40 }), fc.string({ maxLength: 20 }), async (edits: Edit[], initial) => {
        const doc = await alice.client.docs.create.mutate({ group_id: groupId, title: 'prop', content: initial });
        // Instance 0 and 2: stock y-websocket providers; instance 1: a tRPC client.
        const p0 = provider(instances[0]!.url, doc.id, alice.token);
        const ws1 = closer.add(wsClient(instances[1]!.url, bob.token));
        const t1 = new TrpcDoc(ws1.api, doc.id);
        const p2 = provider(instances[2]!.url, doc.id, carol.token);
        const replicas = [p0.doc, t1.doc, p2.doc];
        try {
          await Promise.all([p0.synced, t1.synced, p2.synced]);
          for (const e of edits) {
            const text = replicas[e.who]!.getText('content');
            const at = e.at % (text.length + 1);
            replicas[e.who]!.transact(() => {
              text.delete(at, Math.min(e.del, text.length - at));
              if (e.insert) text.insert(at, e.insert);
            });
          }
          const texts = () => replicas.map((d) => d.getText('content').toString());
          const same = () => {
            const [a, b, c] = replicas.map((d) => Y.encodeStateVector(d).join());
            return a === b && b === c && new Set(texts()).size === 1;
          };
          await eventually(same, 30_000, 'replicas to converge');
          await t1.flushed();
          const want = texts()[0]!;
          // A fresh read on every instance (loaded from snapshot + log, or its open copy) agrees.
          for (const inst of instances) {
            await eventually(
              async () => (await httpClient(inst.url, alice.token).docs.get.query({ document_id: doc.id })).content === want,
              15_000,
              `instance ${inst.index} get`,
            );
          }
          return true;
        } finally {
          p0.close();
          p2.close();
          t1.close();
        }
      }),
      { numRuns: 6, endOnFailure: true },
    );
    // Every document unloads after its editors leave; a fresh provider then loads from the database alone.
    const docs = await alice.client.docs.list.query({ group_id: groupId });
    const last = docs[0]!;
    const content = (await alice.client.docs.get.query({ document_id: last.id })).content;
    const fresh = provider(instances[2]!.url, last.id, carol.token);
    await fresh.synced;
    expect(fresh.text.toString()).toBe(content);
    fresh.close();
  });

  test('an instance killed with SIGKILL loses nothing it acknowledged', async () => {
    const victim = await cluster.add();
    const doc = await alice.client.docs.create.mutate({ group_id: groupId, title: 'crash' });
    const api = httpClient(victim.url, bob.token);
    const local = new Y.Doc();
    for (let i = 0; i < 30; i++) {
      const before = Y.encodeStateVector(local);
      local.getText('content').insert(local.getText('content').length, `${i},`);
      // Acknowledged once the mutation returns.
      expect(await api.docs.push.mutate({ document_id: doc.id, update: b64(Y.encodeStateAsUpdate(local, before)) })).toEqual({ ok: true });
    }
    await victim.kill('SIGKILL');
    const want = local.getText('content').toString();
    for (const inst of instances.slice(0, 3)) {
      expect((await httpClient(inst.url, alice.token).docs.get.query({ document_id: doc.id })).content).toBe(want);
    }
  });
});
