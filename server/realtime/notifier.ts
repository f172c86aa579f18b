import type { Bus } from './bus.ts';
import type { StreamEvent } from './streams.ts';

/** Topic every node listens on for authorization changes that must end live subscriptions. */
export const CONTROL_TOPIC = 'control';

export type ControlMessage =
  | { kind: 'membership_revoked'; groupId: string; userId: string }
  | { kind: 'group_deleted'; groupId: string }
  /** A deleted channel, board, task list or document: its subscribers learn `<what> not found`. */
  | { kind: 'stream_deleted'; stream: string; what: string };

/** What services use to announce committed changes; only ever called after the commit. */
export interface Notifier {
  durable(events: StreamEvent[]): void;
  /** An event that is not persisted (typing, presence, WebRTC); `to` restricts it to one user. */
  ephemeral(topic: string, event: object, to?: string): void;
  control(message: ControlMessage): void;
}

export function createNotifier(bus: Bus): Notifier {
  return {
    durable(events) {
      for (const e of events) bus.publish(e.stream, { seq: e.seq, json: e.json });
    },
    ephemeral(topic, event, to) {
      bus.publish(topic, to ? { json: JSON.stringify(event), to } : { json: JSON.stringify(event) });
    },
    control(message) {
      bus.publish(CONTROL_TOPIC, { json: JSON.stringify(message) });
    },
  };
}
