import type * as ev from '../../../shared/events.ts';
import type { SignalInput } from '../../../shared/inputs.ts';
import { badRequest, forbidden, notFound, tooManyRequests } from '../../errors.ts';
import type { AttachOptions, Hub } from '../../realtime/hub.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { GLOBAL_SCOPE, type Presence } from '../../realtime/presence.ts';
import type { LiveSource, Sink } from '../../realtime/sink.ts';
import { channelOfStream, channelStream, dmStream, userStream } from '../../realtime/streams.ts';
import type { TypingTimers } from '../../realtime/typing.ts';
import type { Database } from '../../db/client.ts';
import type { FloodGuard } from '../../ratelimit/bucket.ts';
import type { RateLimiter } from '../../ratelimit/index.ts';
import { canSeePresence } from './visibility.ts';
import type { Access, ChannelRow } from '../groups/access.ts';
import type { UserService } from '../accounts/users.ts';
import type { Caller } from '../caller.ts';
import type { Logger } from '../../log.ts';

export interface RealtimeDeps {
  hub: Hub;
  presence: Presence;
  notifier: Notifier;
  access: Access;
  users: UserService;
  typing: TypingTimers;
  limiter: RateLimiter;
  log: Logger;
  floods: FloodGuard;
  database: Database;
}

type DurableChannelEvent = Extract<
  ev.ChannelEvent,
  { type: 'message' | 'message_updated' | 'message_deleted' | 'reaction_added' | 'reaction_removed' }
>;
type DurableDmEvent = Extract<ev.DmEvent, { type: 'dm_message' | 'dm_message_updated' | 'dm_message_deleted' }>;

/** Presence topic of a user's global online state, consumed by their DM partners' streams. */
const presenceTopic = (userId: string) => `p:${userId}`;
/** WebRTC signals a user may send in ten seconds (ICE candidates come in bursts). */
const SIGNALS_PER_10S = 200;

/** Live streams, presence, typing and WebRTC signalling; nothing here touches the database. */
export function createRealtimeService({ hub, presence, notifier, access, users, typing, limiter, log, floods, database }: RealtimeDeps) {
  // Users whose node died without saying goodbye: announce them as if they had left.
  presence.onExpired((scope, who) => {
    if (scope === GLOBAL_SCOPE)
      notifier.ephemeral(presenceTopic(who.id), { type: 'dm_user_offline', user_id: who.id, username: who.username });
    else {
      const channelId = channelOfStream(scope);
      if (channelId) notifier.ephemeral(scope, { type: 'user_left', user_id: who.id, username: who.username, channel_id: channelId });
    }
  });

  /** Leaves a presence scope; `onLast` runs when it was the user's last subscription there. */
  const leaver = (scope: string, caller: Caller, key: string, onLast: ((scope: string, caller: Caller) => void) | null) => () =>
    void presence.leave(scope, caller, key).then(
      (last) => last && onLast?.(scope, caller),
      (error) => log.warn('presence leave failed', { scope, error }),
    );

  /**
   * Joins a presence scope for one subscription; returns the leave. An open subscription holds
   * its leave, so it keeps just these four: `onLast` is one function for every subscriber.
   */
  async function present(scope: string, caller: Caller, onFirst: () => void, onLast: ((scope: string, caller: Caller) => void) | null) {
    const key = crypto.randomUUID();
    if (await presence.join(scope, caller, key)) onFirst();
    return leaver(scope, caller, key, onLast);
  }

  /** A channel's `user_left`, when a user's last subscription to it closes. */
  const announceLeft = (scope: string, caller: Caller) =>
    notifier.ephemeral(scope, { type: 'user_left', user_id: caller.id, username: caller.username, channel_id: channelOfStream(scope)! });

  const both = (first: () => void, second: () => void) => () => {
    first();
    second();
  };

  /**
   * Attaches `sink` to a stream with the caller present on it while attached: `enter` runs first
   * in the prelude (after attaching, so nothing is missed) and returns the leave, then `prelude`
   * computes the first events. Returns the detach, which also leaves.
   */
  async function attachPresent(
    scope: string,
    sink: Sink,
    opts: AttachOptions & { enter: () => Promise<() => void>; prelude: () => Promise<object[]> },
  ) {
    const { enter, prelude, ...attach } = opts;
    let leave = () => {};
    try {
      const detach = await hub.attach(scope, sink, {
        ...attach,
        prelude: async () => {
          leave = await enter();
          return prelude();
        },
      });
      // Not a closure over this scope: the open subscription holds its close, and this scope holds the options.
      return both(detach, leave);
    } catch (err) {
      leave();
      throw err;
    }
  }

  return {
    /** A user's connection opened: they are online (announced to DM partners on the first device). */
    async connected(caller: Caller, connectionId: string) {
      if (await presence.join(GLOBAL_SCOPE, caller, connectionId)) {
        notifier.ephemeral(presenceTopic(caller.id), { type: 'dm_user_online', user_id: caller.id, username: caller.username });
      }
    },

    async disconnected(caller: Caller, connectionId: string) {
      if (await presence.leave(GLOBAL_SCOPE, caller, connectionId)) {
        notifier.ephemeral(presenceTopic(caller.id), { type: 'dm_user_offline', user_id: caller.id, username: caller.username });
      }
    },

    channel(caller: Caller, channel: ChannelRow, lastEventId: number | null) {
      const scope = channelStream(channel.id);
      const who = { user_id: caller.id, username: caller.username, channel_id: channel.id };
      const source: LiveSource<DurableChannelEvent, Exclude<ev.ChannelEvent, DurableChannelEvent>> = {
        userId: caller.id,
        open: (sink: Sink) =>
          attachPresent(scope, sink, {
            lastEventId,
            groupId: channel.groupId,
            enter: async () => {
              // Re-checked after attaching: a kick between the procedure's check and here is not missed.
              await access.channelFor(channel.id, caller.id);
              return present(
                scope,
                caller,
                // Only the *other* users hear of it: the joining user learns the room from `online_users`.
                () => notifier.ephemeral(scope, { type: 'user_joined', ...who }, `!${caller.id}`),
                announceLeft,
              );
            },
            prelude: async () => [{ type: 'online_users', users: await presence.members(scope), channel_id: channel.id }],
          }),
      };
      return source;
    },

    async dm(caller: Caller, partnerId: string, lastEventId: number | null) {
      if (partnerId === caller.id) throw badRequest('Direct messages need another user');
      const partner = await users.byId(partnerId);
      const scope = dmStream(caller.id, partnerId);
      // A stranger (no shared group, no conversation) sees the partner as always offline: the
      // stream stays open so a first DM can start the conversation, but presence is not revealed.
      const visible = await canSeePresence(database, caller.id, partnerId);
      const source: LiveSource<DurableDmEvent, Exclude<ev.DmEvent, DurableDmEvent>> = {
        userId: caller.id,
        open: (sink: Sink) =>
          attachPresent(scope, sink, {
            lastEventId,
            // The partner's online/offline changes join this stream, for this user only.
            relays: visible ? [{ topic: presenceTopic(partnerId), to: caller.id }] : [],
            enter: () => present(scope, caller, () => {}, null),
            prelude: async () => {
              const online = visible && (await presence.present(GLOBAL_SCOPE, [partnerId])).has(partnerId);
              return [{ type: online ? 'dm_user_online' : 'dm_user_offline', user_id: partnerId, username: partner.username }];
            },
          }),
      };
      return source;
    },

    me(caller: Caller, lastEventId: number | null) {
      const source: LiveSource<ev.MeEvent, ev.MeEvent> = {
        userId: caller.id,
        open: (sink) => hub.attach(userStream(caller.id), sink, { lastEventId }),
      };
      return source;
    },

    async typing(caller: Caller, channelId: string, isTyping: boolean) {
      const scope = channelStream(channelId);
      // A flood is dropped here, before any database work; the caller still gets `ok`. A `false`
      // that ends an indicator others are showing always goes out.
      if (!floods.typing(caller.id) && !(!isTyping && typing.active(`${scope}:${caller.id}`))) return;
      await access.channelFor(channelId, caller.id);
      const event = (is_typing: boolean) => ({
        type: 'typing',
        user_id: caller.id,
        username: caller.username,
        is_typing,
        channel_id: channelId,
      });
      notifier.ephemeral(scope, event(isTyping));
      typing.set(`${scope}:${caller.id}`, isTyping, () => notifier.ephemeral(scope, event(false)));
    },

    async dmTyping(caller: Caller, partnerId: string, isTyping: boolean) {
      if (partnerId === caller.id) throw badRequest('Direct messages need another user');
      const scope = dmStream(caller.id, partnerId);
      if (!floods.typing(caller.id) && !(!isTyping && typing.active(`${scope}:${caller.id}`))) return;
      await users.byId(partnerId);
      const event = (is_typing: boolean) => ({ type: 'dm_typing', user_id: caller.id, username: caller.username, is_typing });
      notifier.ephemeral(scope, event(isTyping));
      typing.set(`${scope}:${caller.id}`, isTyping, () => notifier.ephemeral(scope, event(false)));
    },

    /** Relays an offer/answer/ICE candidate to one user present on the same stream; `from_*` comes from the token. */
    async signal(caller: Caller, input: SignalInput) {
      const allowed = await limiter.hit(`signal:${caller.id}`, SIGNALS_PER_10S, 10);
      if (!allowed.allowed) throw tooManyRequests('Too many signals', allowed.retryAfterSeconds);
      const type = `webrtc_${input.type}`;
      const from = { from_user_id: caller.id, from_username: caller.username };
      let scope: string;
      let target: string;
      let event: object;
      if (input.channel_id) {
        const { channel } = await access.channelFor(input.channel_id, caller.id);
        if (channel.type === 'TEXT') throw badRequest('WebRTC signalling is only available in VOICE and VIDEO channels');
        if (!input.target_user_id) throw badRequest('target_user_id is required in a channel');
        scope = channelStream(channel.id);
        target = input.target_user_id;
        event = { type, ...from, channel_id: channel.id, data: input.data };
      } else {
        target = input.user_id!;
        if (input.target_user_id && input.target_user_id !== target) throw badRequest('target_user_id must be the DM partner');
        if (target === caller.id) throw badRequest('Direct messages need another user');
        scope = dmStream(caller.id, target);
        event = { type, ...from, data: input.data };
      }
      if (target === caller.id) throw badRequest('Cannot signal yourself');
      const here = await presence.present(scope, [caller.id, target]);
      if (!here.has(caller.id)) throw forbidden('Subscribe to the stream before signalling on it');
      if (!here.has(target)) throw notFound('Target user is not present');
      notifier.ephemeral(scope, event, target);
    },
  };
}

export type RealtimeService = ReturnType<typeof createRealtimeService>;
