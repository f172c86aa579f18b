import type { Logger } from '../log.ts';
import type { EventLog } from '../services/eventlog.ts';
import type { Bus, BusMessage } from './bus.ts';
import { CONTROL_TOPIC, type ControlMessage } from './notifier.ts';
import type { EndReason, PublishFrame, Sink } from './sink.ts';
import { StreamState, type Attachment } from './stream-state.ts';

export interface HubDeps {
  bus: Bus;
  eventLog: EventLog;
  publishFrame: PublishFrame;
  log: Logger;
  onGapFill?: () => void;
}

export interface AttachOptions {
  /** Resume after this sequence; null = live events only. */
  lastEventId: number | null;
  /** Ephemeral events to deliver first (e.g. `online_users`), computed after attaching. */
  prelude?: () => Promise<object[]>;
  /** The group a channel stream belongs to, so membership changes can end it. */
  groupId?: string;
  /** False for ephemeral-only topics (presence): no sequence, no backlog. */
  durable?: boolean;
  /** Keep queueing live events until this settles (orders two attachments of one subscription). */
  after?: Promise<unknown>;
}

/** Most events a resume replays before it answers `resync_required` instead. */
const RESUME_MAX = 1000;

/**
 * The node's view of every stream it has local subscribers for: one bus subscription per
 * stream, events delivered in sequence order exactly once, gaps filled from the event log,
 * and authorization changes ending the affected subscriptions.
 */
export function createHub(deps: HubDeps) {
  const { bus, eventLog } = deps;
  const streams = new Map<string, StreamState>();

  const control = bus.subscribe(CONTROL_TOPIC, (m) => onControl(JSON.parse(m.json) as ControlMessage));
  const stopRecover = bus.onRecover(() => {
    for (const st of streams.values()) st.fill();
  });

  function stream(key: string, opts: AttachOptions): StreamState {
    let st = streams.get(key);
    if (!st) {
      st = new StreamState(key, opts.durable ?? true, deps, () => {
        streams.delete(key);
      });
      streams.set(key, st);
    }
    if (opts.groupId) st.groupId = opts.groupId;
    return st;
  }

  function endWhere(match: (st: StreamState, a: Attachment) => boolean, reason: EndReason) {
    for (const st of [...streams.values()]) for (const a of [...st.attachments]) if (match(st, a)) a.sink.end(reason);
  }

  function onControl(msg: ControlMessage) {
    const gone = { code: 'NOT_FOUND', message: 'Channel not found' } as const;
    if (msg.kind === 'membership_revoked') endWhere((st, a) => st.groupId === msg.groupId && a.sink.userId === msg.userId, gone);
    else if (msg.kind === 'group_deleted') endWhere((st) => st.groupId === msg.groupId, gone);
    else if (msg.kind === 'channel_deleted') endWhere((st) => st.key === `c:${msg.channelId}`, gone);
  }

  return {
    /**
     * Subscribes `sink` to a stream: attaches the live listener first, then delivers the prelude,
     * the backlog after `lastEventId` (or `resync_required`), then live events. Returns the detach.
     */
    async attach(key: string, sink: Sink, opts: AttachOptions): Promise<() => void> {
      const st = stream(key, opts);
      const a = st.add(sink);
      const detach = () => st.remove(a);
      try {
        await st.ready;
        for (const event of (await opts.prelude?.()) ?? []) sink.deliver(null, JSON.stringify(event));
        if (opts.lastEventId !== null && st.durable) {
          const backlog = await eventLog.read(key, opts.lastEventId, RESUME_MAX + 1);
          if (backlog.length > RESUME_MAX) {
            const latest = Math.max(st.lastSeq, await eventLog.latest(key));
            sink.deliver(null, JSON.stringify({ type: 'resync_required', latest_seq: latest }));
            a.lastSent = latest;
          } else {
            a.lastSent = opts.lastEventId;
            for (const e of backlog) st.sendTo(a, e.seq, e.json);
          }
        }
        await opts.after;
        st.release(a);
        return detach;
      } catch (err) {
        detach();
        throw err;
      }
    },

    /** Streams with local subscribers (for metrics and tests). */
    streamCount: () => streams.size,

    async close() {
      control.close();
      stopRecover();
      for (const st of [...streams.values()]) st.dispose();
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
export type { BusMessage };
