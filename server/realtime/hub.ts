import { LIMITS } from '../../shared/limits.ts';
import type { Logger } from '../log.ts';
import type { EventLog } from './eventlog.ts';
import type { Bus, BusSubscription } from './bus.ts';
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
  /** Ephemeral topics whose events join this stream for one user (a DM partner's presence). */
  relays?: Array<{ topic: string; to: string }>;
}

/**
 * The detach of one attachment, made outside `attach` so that it keeps only these three (an
 * open subscription holds its detach; a closure inside `attach` would hold the options too).
 */
function detacher(st: StreamState, a: Attachment, relayed: Array<{ stop(): void }> | null) {
  return () => {
    st.remove(a);
    if (relayed) for (const r of relayed) r.stop();
  };
}

/** Most events a resume replays before it answers `resync_required` instead. */
const RESUME_MAX = LIMITS.resumeMaxEvents;

/**
 * The node's view of every stream it has local subscribers for: one bus subscription per
 * stream, events delivered in sequence order exactly once, gaps filled from the event log,
 * and authorization changes ending the affected subscriptions.
 */
export function createHub(deps: HubDeps) {
  const { bus, eventLog } = deps;
  const streams = new Map<string, StreamState>();
  const relays = new Map<string, { subscription: BusSubscription; targets: Map<string, number> }>();

  const control = bus.subscribe(CONTROL_TOPIC, (m) => onControl(JSON.parse(m.json) as ControlMessage));
  const stopRecover = bus.onRecover(() => {
    for (const st of streams.values()) st.fill();
  });

  function stream(key: string, groupId: string | undefined): StreamState {
    let st = streams.get(key);
    if (!st) {
      const created = new StreamState(key, deps, () => {
        if (streams.get(key) === created) streams.delete(key);
      });
      streams.set(key, (st = created));
    }
    if (groupId) st.groupId = groupId;
    return st;
  }

  /** Forwards a topic's events into a stream as ephemeral events for one user; returns the undo. */
  function relay(topic: string, streamKey: string, to: string): { ready: Promise<void>; stop(): void } {
    const target = `${streamKey}\n${to}`;
    let entry = relays.get(topic);
    if (!entry) {
      const targets = new Map<string, number>();
      const subscription = bus.subscribe(topic, (m) => {
        for (const t of targets.keys()) {
          const cut = t.indexOf('\n');
          streams.get(t.slice(0, cut))?.ephemeral(m.json, t.slice(cut + 1));
        }
      });
      relays.set(topic, (entry = { subscription, targets }));
    }
    const { targets, subscription } = entry;
    targets.set(target, (targets.get(target) ?? 0) + 1);
    return {
      ready: subscription.ready,
      stop() {
        const n = targets.get(target)! - 1;
        if (n > 0) return void targets.set(target, n);
        targets.delete(target);
        if (targets.size) return;
        subscription.close();
        relays.delete(topic);
      },
    };
  }

  function endWhere(match: (st: StreamState, a: Attachment) => boolean, reason: EndReason) {
    for (const st of [...streams.values()]) for (const a of [...st.attachments]) if (match(st, a)) a.sink.end(reason);
  }

  function onControl(msg: ControlMessage) {
    const gone = { code: 'NOT_FOUND', message: 'Channel not found' } as const;
    if (msg.kind === 'membership_revoked') endWhere((st, a) => st.groupId === msg.groupId && a.sink.userId === msg.userId, gone);
    else if (msg.kind === 'group_deleted') endWhere((st) => st.groupId === msg.groupId, gone);
    else if (msg.kind === 'stream_deleted')
      endWhere((st) => st.key === msg.stream, { code: 'NOT_FOUND', message: `${msg.what} not found` });
  }

  /** Replays what a resuming subscriber missed, or tells it to resync when that is too much. */
  async function replay(st: StreamState, a: Attachment, after: number) {
    const backlog = await eventLog.read(st.key, after, RESUME_MAX + 1);
    const head = async () => Math.max(st.lastSeq, await eventLog.latest(st.key));
    // Too much missed, or a position this stream never reached (say, a client of another deployment).
    if (backlog.length > RESUME_MAX || (!backlog.length && after > st.lastSeq && after > (await head()))) {
      const latest = await head();
      a.sink.deliver(latest, JSON.stringify({ type: 'resync_required', latest_seq: latest }), false);
      a.lastSent = latest;
      return;
    }
    for (const e of backlog) st.sendTo(a, e.seq, e.json);
  }

  return {
    /**
     * Subscribes `sink` to a stream: attaches the live listener first, then delivers the prelude,
     * the backlog after `lastEventId` (or `resync_required`), then live events. Returns the detach.
     */
    async attach(key: string, sink: Sink, opts: AttachOptions): Promise<() => void> {
      const st = stream(key, opts.groupId);
      const a = st.add(sink);
      const relayed = opts.relays?.length ? opts.relays.map((r) => relay(r.topic, key, r.to)) : null;
      const detach = detacher(st, a, relayed);
      try {
        await Promise.all([st.ready, ...(relayed ?? []).map((r) => r.ready)]);
        a.lastSent = opts.lastEventId ?? st.positionOf(a);
        sink.started();
        for (const event of (await opts.prelude?.()) ?? []) sink.deliver(a.lastSent, JSON.stringify(event), false);
        if (opts.lastEventId !== null) await replay(st, a, opts.lastEventId);
        st.release(a);
        return detach;
      } catch (err) {
        detach();
        throw err;
      }
    },

    async close() {
      control.close();
      stopRecover();
      for (const st of [...streams.values()]) st.dispose();
      for (const r of relays.values()) r.subscription.close();
      relays.clear();
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
