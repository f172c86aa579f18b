import { and, desc, eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { DOC_TEXT, type Document } from '../../../shared/docs.ts';
import type { Role } from '../../../shared/entities.ts';
import type { Db, Tx } from '../../db/client.ts';
import { documents } from '../../db/schema/index.ts';
import { forbidden, notFound } from '../../errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { docStream, userStream } from '../../realtime/streams.ts';
import { MANAGERS, type Access } from '../groups/access.ts';
import type { EventLog } from '../../realtime/eventlog.ts';
import { memberIds } from '../groups/groups.ts';
import type { DocStore } from './store.ts';

export type DocumentRow = typeof documents.$inferSelect;

export const presentDocument = (d: DocumentRow): Document => ({
  id: d.id,
  group_id: d.groupId,
  title: d.title,
  created_by: d.createdBy,
  created_at: d.createdAt.toISOString(),
  updated_at: d.updatedAt.toISOString(),
});

export interface DocCrudDeps {
  db: Db;
  access: Access;
  eventLog: EventLog;
  notifier: Notifier;
  store: DocStore;
}

/** The document rows: who may see, create, rename and delete them. The Yjs state lives in the engine. */
export function createDocCrud({ db, access, eventLog, notifier, store }: DocCrudDeps) {
  /** The document and the caller's role in its group; NOT_FOUND when either is absent or invisible. */
  async function docFor(documentId: string, userId: string, tx: Tx = db): Promise<{ doc: DocumentRow; role: Role }> {
    const [doc] = await tx.select().from(documents).where(eq(documents.id, documentId));
    const role = doc ? await access.roleIn(doc.groupId, userId, tx) : null;
    if (!doc || !role) throw notFound('Document');
    return { doc, role };
  }

  return {
    docFor,

    async create(userId: string, input: { groupId: string; title: string; content?: string }): Promise<DocumentRow> {
      const initial = new Y.Doc();
      if (input.content) initial.getText(DOC_TEXT).insert(0, input.content);
      const state = Y.encodeStateAsUpdate(initial);
      initial.destroy();
      const { row, events } = await db.transaction(async (tx) => {
        await access.requireMember(input.groupId, userId, tx);
        const [row] = await tx.insert(documents).values({ groupId: input.groupId, title: input.title, createdBy: userId }).returning();
        await store.init(tx, row!.id, state);
        const events = await eventLog.appendToAll(tx, (await memberIds(tx, input.groupId)).map(userStream), {
          type: 'doc_created',
          document: presentDocument(row!),
        });
        return { row: row!, events };
      });
      notifier.durable(events);
      return row;
    },

    async list(userId: string, groupId: string): Promise<DocumentRow[]> {
      await access.requireMember(groupId, userId);
      return db.select().from(documents).where(eq(documents.groupId, groupId)).orderBy(desc(documents.updatedAt), desc(documents.id));
    },

    async rename(userId: string, documentId: string, title: string): Promise<DocumentRow> {
      await docFor(documentId, userId);
      const [row] = await db.update(documents).set({ title, updatedAt: new Date() }).where(eq(documents.id, documentId)).returning();
      if (!row) throw notFound('Document');
      return row;
    },

    /** Stream keys of a group's documents: their sequence counters are forgotten when the group is deleted. */
    async streamsOf(tx: Tx, groupId: string): Promise<string[]> {
      const rows = await tx.select({ id: documents.id }).from(documents).where(eq(documents.groupId, groupId));
      return rows.map((r) => docStream(r.id));
    },

    /** The creator, or the group's owner/admin. Ends every editing session of it, on every instance. */
    async delete(userId: string, documentId: string): Promise<void> {
      const events = await db.transaction(async (tx) => {
        const { doc, role } = await docFor(documentId, userId, tx);
        if (doc.createdBy !== userId && !MANAGERS.includes(role))
          throw forbidden('Only its creator, an owner or an admin may delete a document');
        // The document row first, then the counter: the order every update's transaction locks them in.
        await tx.delete(documents).where(and(eq(documents.id, documentId)));
        await eventLog.purge(tx, [docStream(documentId)]);
        return eventLog.appendToAll(tx, (await memberIds(tx, doc.groupId)).map(userStream), {
          type: 'doc_deleted',
          document_id: documentId,
          group_id: doc.groupId,
        });
      });
      notifier.control({ kind: 'stream_deleted', stream: docStream(documentId), what: 'Document' });
      notifier.durable(events);
    },
  };
}

export type DocCrud = ReturnType<typeof createDocCrud>;
