import { sql, type SQL } from 'drizzle-orm';

/**
 * Durable stream keys: one per channel, per DM pair, per user's own stream, per Kanban board and
 * per task list. This file is the only place that spells them, in TypeScript and in SQL.
 */
const CHANNEL = 'c:';
const USER = 'u:';
const DM = 'd:';
const BOARD = 'b:';
const TASK_LIST = 't:';
const DOC = 'doc:';

export const channelStream = (channelId: string) => `${CHANNEL}${channelId}`;
export const userStream = (userId: string) => `${USER}${userId}`;
export const boardStream = (boardId: string) => `${BOARD}${boardId}`;
export const taskListStream = (listId: string) => `${TASK_LIST}${listId}`;
/** The pair's key is the same whichever side asks. */
export const dmStream = (a: string, b: string) => (a < b ? `${DM}${a}:${b}` : `${DM}${b}:${a}`);
/** A collaborative document's update stream: its sequence lives in stream_counters, its updates in document_updates. */
export const docStream = (documentId: string) => `${DOC}${documentId}`;

/** The channel id of a channel stream key, or null for any other stream. */
export const channelOfStream = (key: string): string | null => (key.startsWith(CHANNEL) ? key.slice(CHANNEL.length) : null);

/** `channelStream(column)` computed by PostgreSQL, for statements that key many channels at once. */
export const channelStreamSql = (column: string): SQL => sql.raw(`('${CHANNEL}' || ${column}::text)`);

/** A durable event as persisted: its stream, its position in it, and its JSON, serialized once. */
export interface StreamEvent {
  stream: string;
  seq: number;
  json: string;
}
