/** Durable stream keys: one per channel, per DM pair and per user's own stream. */
export const channelStream = (channelId: string) => `c:${channelId}`;
export const userStream = (userId: string) => `u:${userId}`;
/** The pair's key is the same whichever side asks. */
export const dmStream = (a: string, b: string) => (a < b ? `d:${a}:${b}` : `d:${b}:${a}`);

/** A durable event as persisted: its stream, its position in it, and its JSON, serialized once. */
export interface StreamEvent {
  stream: string;
  seq: number;
  json: string;
}
/** A collaborative document's update stream (its sequence lives in stream_counters like the others). */
export const docStream = (documentId: string) => `doc:${documentId}`;
