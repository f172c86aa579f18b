import { bigint, customType, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { groups } from './groups.ts';
import { createdAt, users } from './users.ts';

/** Raw bytes: postgres.js hands back a Buffer, PGlite a Uint8Array; both become a plain Uint8Array. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});

export const documents = pgTable(
  'documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    groupId: uuid('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('documents_group_updated_idx').on(t.groupId, t.updatedAt)],
);

/**
 * The append-only log of Yjs updates after the snapshot. `seq` comes from the document's stream
 * counter (`doc:<id>` in stream_counters), taken in the writing transaction, so a document's
 * updates commit in sequence order and any instance can fill gaps by sequence.
 */
export const documentUpdates = pgTable(
  'document_updates',
  {
    documentId: uuid('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    update: bytea('update').notNull(),
    /** Who sent it; null for the server's own edits (initial content). */
    userId: uuid('user_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.seq] })],
);

/**
 * One row per document: its whole state as one update, covering every update up to `seq`.
 * Compaction folds the log's head into it and deletes the folded rows in the same transaction.
 */
export const documentSnapshots = pgTable('document_snapshots', {
  documentId: uuid('document_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  state: bytea('state').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
