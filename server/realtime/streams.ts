/** Durable stream keys: one per channel, per DM pair, per user's own stream, per board and per task list. */
export const channelStream = (channelId: string) => `c:${channelId}`;
export const userStream = (userId: string) => `u:${userId}`;
/** A Kanban board's stream and a task list's stream. */
export const boardStream = (boardId: string) => `b:${boardId}`;
export const taskListStream = (listId: string) => `t:${listId}`;
/** The pair's key is the same whichever side asks. */
export const dmStream = (a: string, b: string) => (a < b ? `d:${a}:${b}` : `d:${b}:${a}`);

/** A durable event as persisted: its stream, its position in it, and its JSON, serialized once. */
export interface StreamEvent {
  stream: string;
  seq: number;
  json: string;
}
