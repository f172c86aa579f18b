import { ChannelEvent, DmEvent, MeEvent } from './events.ts';

/**
 * The events each subscription procedure yields, by procedure path. The client's `validateEvents`
 * checks received events against these, and the API reference documents them; a subscription
 * missing here fails the reference's generation.
 */
export const STREAM_EVENTS = {
  'realtime.channel': ChannelEvent,
  'realtime.dm': DmEvent,
  'realtime.me': MeEvent,
} as const;
