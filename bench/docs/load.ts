// How long opening a document edited `n` times takes: the whole update log replayed (no
// compaction), against the snapshot a compaction leaves. Runs in-process over the database the
// server would use (PGlite in memory, or PostgreSQL when DATABASE_URL is set).
import postgres from 'postgres';
import * as Y from 'yjs';
import { openPglite, openPostgres, type Database } from '../../server/db/client.ts';
import { migrate } from '../../server/db/migrate.ts';
import { documents, groups, users } from '../../server/db/schema/index.ts';
import { createDocStore } from '../../server/services/docs/store.ts';

async function openDatabase(): Promise<{ database: Database; dispose(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const database = await openPglite(null);
    await migrate(database, null);
    return { database, dispose: () => database.close() };
  }
  const name = `parley_bench_docs_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = openPostgres(url.toString());
  await migrate(database, url.toString());
  return {
    database,
    async dispose() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** What opening a document costs (OpenDoc.load): one read of snapshot + log, then applying them. */
async function timeOpen(store: ReturnType<typeof createDocStore>, id: string) {
  const t0 = performance.now();
  const stored = (await store.load(id))!;
  const doc = new Y.Doc();
  doc.transact(() => {
    Y.applyUpdate(doc, stored.snapshot.update);
    for (const u of stored.tail) Y.applyUpdate(doc, u.update);
  });
  const ms = performance.now() - t0;
  const text = doc.getText('content').length;
  doc.destroy();
  return { ms: Math.round(ms * 10) / 10, text, rows: stored.tail.length };
}

export async function measureLoad(n: number) {
  const { database, dispose } = await openDatabase();
  try {
    const { db } = database;
    const [user] = await db
      .insert(users)
      .values({ username: `load_${Date.now()}`, displayName: 'load', passwordHash: 'x' })
      .returning();
    const [group] = await db.insert(groups).values({ name: 'load', ownerId: user!.id }).returning();
    const [doc] = await db.insert(documents).values({ groupId: group!.id, title: 'long-edited', createdBy: user!.id }).returning();
    const store = createDocStore(database);
    const author = new Y.Doc();
    await store.init(db, doc!.id, Y.encodeStateAsUpdate(author));
    // n single edits, stored as n log rows, 1000 per transaction.
    const updates: Uint8Array[] = [];
    author.on('update', (u: Uint8Array) => updates.push(u));
    const text = author.getText('content');
    // Typing: one character per edit at a cursor that jumps elsewhere every 40 edits, a backspace every tenth.
    let cursor = 0;
    for (let i = 0; i < n; i++) {
      if (i % 40 === 0) cursor = Math.floor(Math.random() * (text.length + 1));
      if (i % 10 === 9 && cursor > 0) text.delete(--cursor, 1);
      else text.insert(cursor++, String.fromCharCode(97 + (i % 26)));
    }
    for (let i = 0; i < updates.length; i += 1000) {
      const writes = updates.slice(i, i + 1000).map((update) => ({ update, userId: user!.id }));
      await store.appendMany([{ documentId: doc!.id, writes }]);
    }
    const uncompacted = await timeOpen(store, doc!.id);
    const t0 = performance.now();
    const compaction = await store.compact(doc!.id, n);
    const compactMs = performance.now() - t0;
    const compacted = await timeOpen(store, doc!.id);
    if (compacted.text !== text.length || uncompacted.text !== text.length) throw new Error('loaded state differs');
    return {
      updates: n,
      final_text_chars: text.length,
      log_bytes: updates.reduce((s, u) => s + u.byteLength, 0),
      snapshot_bytes: compaction?.bytes ?? null,
      open_uncompacted_ms: uncompacted.ms,
      compaction_ms: Math.round(compactMs),
      open_compacted_ms: compacted.ms,
    };
  } finally {
    await dispose();
  }
}
