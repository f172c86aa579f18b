import { z } from 'zod';
import { Timestamp, Uuid } from './entities.ts';
import { Name, Text } from './inputs.ts';

/** Collaborative documents (CONTRACT.md v2, "Collaborative documents (Yjs)"). */

export const DOC_LIMITS = {
  /** One Yjs update, decoded (its base64 then fits the 1 MiB request limit). */
  updateMaxBytes: 512 * 1024,
  /** A whole document, encoded as one update. */
  documentMaxBytes: 10 * 1024 * 1024,
  /** One awareness update (cursors, names): small by nature. */
  awarenessMaxBytes: 64 * 1024,
  /** `docs.create` / `docs.setContent` text, in UTF-16 code units (what Y.Text counts). */
  contentMaxChars: 1_000_000,
} as const;

/** The Y.Text every client edits; other shared types are kept and synced as they are. */
export const DOC_TEXT = 'content';

export const Document = z.object({
  id: Uuid,
  group_id: Uuid,
  title: z.string(),
  created_by: Uuid,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Document = z.infer<typeof Document>;
export const DocumentWithContent = Document.extend({ content: z.string() });
export type DocumentWithContent = z.infer<typeof DocumentWithContent>;

/** Y.Text stores UTF-8: a lone surrogate would silently become U+FFFD, so it is refused instead. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DocContent = Text()
  .max(DOC_LIMITS.contentMaxChars)
  .refine((s) => !LONE_SURROGATE.test(s), 'must not contain lone surrogates');
/** Standard base64; size limits are checked on the decoded bytes, with PAYLOAD_TOO_LARGE. */
const Base64 = z
  .string()
  .max(Math.ceil((DOC_LIMITS.documentMaxBytes * 4) / 3) + 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

export const DocCreateInput = z.object({ group_id: Uuid, title: Name, content: DocContent.optional() });
export const DocListInput = z.object({ group_id: Uuid });
export const DocIdInput = z.object({ document_id: Uuid });
export const DocRenameInput = z.object({ document_id: Uuid, title: Name });
export const DocSetContentInput = z.object({ document_id: Uuid, content: DocContent });
export const DocPushInput = z.object({ document_id: Uuid, update: Base64 });
export const DocAwarenessInput = z.object({ document_id: Uuid, update: Base64 });
/** `lastEventId` is what a stock client adds on reconnect; a document stream restarts from its state. */
export const DocStreamInput = z.object({ document_id: Uuid, lastEventId: z.string().nullish() });

/** `realtime.doc`: the whole state first, then updates (persisted before they are relayed) and awareness. */
export const DocEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('doc_state'), update: z.string() }),
  /** `user_id` is null only when an instance caught up from a compacted snapshot (many authors at once). */
  z.object({ type: z.literal('doc_update'), update: z.string(), user_id: Uuid.nullable() }),
  z.object({ type: z.literal('awareness'), update: z.string() }),
]);
export type DocEvent = z.infer<typeof DocEvent>;

/** On `realtime.me` of every member of the group. */
export const DocCreatedEvent = z.object({ type: z.literal('doc_created'), document: Document });
export const DocDeletedEvent = z.object({ type: z.literal('doc_deleted'), document_id: Uuid, group_id: Uuid });
