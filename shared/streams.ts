import { BoardStreamEvent } from './boards.ts';
import { DocEvent } from './docs.ts';
import { ChannelEvent, DmEvent, MeEvent } from './events.ts';
import { TaskStreamEvent } from './tasks.ts';

/**
 * The events each subscription procedure yields, by procedure path. The client's `validateEvents`
 * checks received events against these, and the API reference documents them; a subscription
 * missing here fails the reference's generation.
 */
export const STREAM_EVENTS = {
  'realtime.channel': ChannelEvent,
  'realtime.dm': DmEvent,
  'realtime.me': MeEvent,
  'realtime.tasks': TaskStreamEvent,
  'realtime.board': BoardStreamEvent,
  'realtime.doc': DocEvent,
} as const;
