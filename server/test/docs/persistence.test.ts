import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { startParley, type Parley } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { documentSnapshots } from '../../db/schema/index.ts';
import { register } from '../helpers/clients.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { TEST_JWT_SECRET } from '../helpers/server.ts';
import { eventually, provider, tailRows } from './support.ts';

setDefaultTimeout(60_000);

/** Servers started one after another over the same database, as a restart would. */
let db: TestDatabase;
const dataDir = mkdtempSync(join(tmpdir(), 'parley-docs-'));
const running = new Set<Parley>();
beforeAll(async () => {
  db = await createTestDatabase();
}, 180_000);
afterAll(async () => {
  for (const p of running) await p.stop().catch(() => {});
  await db.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}, 180_000);

async function start(env: Record<string, string> = {}): Promise<Parley> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'error',
    RATE_LIMIT_MESSAGES: 'off',
    SHUTDOWN_GRACE_SECONDS: '0',
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...env,
  });
  const p = await startParley(config, { database: db.database });
  running.add(p);
  return p;
}
async function stop(p: Parley) {
  await p.stop();
  running.delete(p);
}

describe('persistence', () => {
  test('a stopped server’s documents come back intact on a new server over the same database', async () => {
    const first = await start();
    const alice = await register(first.url, 'alice');
    const group = await alice.client.groups.create.mutate({ name: 'kept' });
    const doc = await alice.client.docs.create.mutate({ group_id: group.id, title: 'kept', content: 'one' });
    const editor = provider(first.url, doc.id, alice.token);
    await editor.synced;
    const map = editor.doc.getMap('meta');
    editor.text.insert(3, ' two three');
    map.set('color', 'blue');
    await eventually(async () => (await alice.client.docs.get.query({ document_id: doc.id })).content === 'one two three', 10_000);
    const expected = Y.encodeStateVector(editor.doc);
    editor.close();
    await stop(first);

    const second = await start();
    const again = provider(second.url, doc.id, alice.token);
    try {
      await again.synced;
      expect(again.text.toString()).toBe('one two three');
      // Other shared types a client adds are kept as they are.
      expect(again.doc.getMap('meta').get('color')).toBe('blue');
      expect(Y.encodeStateVector(again.doc)).toEqual(expected);
    } finally {
      again.close();
      await stop(second);
    }
  });

  test('compaction: many updates become a snapshot and a short tail with the same state; unload folds the rest', async () => {
    const server = await start({ DOC_COMPACT_EVERY: '40' });
    try {
      const bob = await register(server.url, 'bob');
      const group = await bob.client.groups.create.mutate({ name: 'busy' });
      const doc = await bob.client.docs.create.mutate({ group_id: group.id, title: 'busy' });
      const editor = provider(server.url, doc.id, bob.token);
      await editor.synced;
      const N = 300;
      for (let i = 0; i < N; i++) {
        editor.text.insert(editor.text.length, `${i % 10}`);
        if (i % 7 === 3) editor.text.delete(0, 1);
      }
      const want = editor.text.toString();
      await eventually(
        async () => (await bob.client.docs.get.query({ document_id: doc.id })).content === want,
        20_000,
        'all updates stored',
      );
      // Compactions run in the background while editing: soon far fewer rows than updates sent (~343).
      await eventually(async () => (await tailRows(server.database, doc.id)) < 80, 60_000, 'compaction while open');
      const [snap] = await server.database.db.select().from(documentSnapshots).where(eq(documentSnapshots.documentId, doc.id));
      expect(snap!.seq).toBeGreaterThan(0);

      // The last editor leaves: the document unloads and its tail is folded in.
      editor.close();
      await eventually(async () => (await tailRows(server.database, doc.id)) === 0, 60_000, 'unload compaction');
      expect((await bob.client.docs.get.query({ document_id: doc.id })).content).toBe(want);
      const fresh = provider(server.url, doc.id, bob.token);
      await fresh.synced;
      expect(fresh.text.toString()).toBe(want);
      fresh.close();
    } finally {
      await stop(server);
    }
  });
});
