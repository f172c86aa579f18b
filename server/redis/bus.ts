import type { Logger } from '../log.ts';
import type { Bus, BusHandler, BusMessage } from '../realtime/bus.ts';
import { connectRedis } from './connection.ts';

/** Publishes kept while Redis is unreachable, sent when it is back; beyond this the oldest go. */
const OUTBOX_LIMIT = 50_000;

/**
 * The bus over Redis pub/sub: one publisher and one subscriber connection per instance, one
 * Redis subscription per topic however many local handlers it has. Local handlers get local
 * publishes directly (so an instance keeps serving its own clients through a Redis outage);
 * copies coming back from Redis are recognized by the node id and skipped. After a reconnect,
 * `onRecover` listeners refill what may have been missed from the database.
 *
 * Wire format: `<node>|<seq>|<to>|<json>` (empty fields when absent).
 */
export function createRedisBus(opts: { url: string; prefix: string; nodeId: string; log: Logger }): Bus {
  const { prefix, nodeId, log } = opts;
  const pub = connectRedis(opts.url, log, `parley-pub-${nodeId}`);
  const sub = connectRedis(opts.url, log, `parley-sub-${nodeId}`);
  const handlers = new Map<string, Set<BusHandler>>();
  /** Settles when Redis has confirmed the topic's SUBSCRIBE (or refused it while down). */
  const confirmed = new Map<string, Promise<void>>();
  const recoverListeners = new Set<() => void>();
  const outbox: Array<[string, string]> = [];
  let dropped = 0;
  let wasDown = false;
  const channelOf = (topic: string) => `${prefix}bus:${topic}`;
  const topicOf = (channel: string) => channel.slice(prefix.length + 4);

  const deliver = (topic: string, message: BusMessage) => {
    const set = handlers.get(topic);
    if (set) for (const handler of [...set]) handler(message);
  };

  sub.on('message', (channel: string, payload: string) => {
    const a = payload.indexOf('|');
    const b = payload.indexOf('|', a + 1);
    const c = payload.indexOf('|', b + 1);
    if (a < 0 || b < 0 || c < 0 || payload.slice(0, a) === nodeId) return;
    const seq = payload.slice(a + 1, b);
    const to = payload.slice(b + 1, c);
    deliver(topicOf(channel), { json: payload.slice(c + 1), ...(seq && { seq: Number(seq) }), ...(to && { to }) });
  });

  const onDown = () => {
    wasDown = true;
  };
  sub.on('close', onDown);
  pub.on('close', onDown);
  const onReady = () => {
    if (sub.status === 'ready' && handlers.size)
      sub.subscribe(...[...handlers.keys()].map(channelOf)).catch((error) => log.warn('bus resubscribe failed', { error: error.message }));
    flush();
    if (wasDown && pub.status === 'ready' && sub.status === 'ready') {
      wasDown = false;
      for (const listener of [...recoverListeners]) listener();
    }
  };
  sub.on('ready', onReady);
  pub.on('ready', onReady);

  function send(channel: string, payload: string) {
    pub.publish(channel, payload).catch(() => keep(channel, payload));
  }

  function keep(channel: string, payload: string) {
    if (outbox.length >= OUTBOX_LIMIT) {
      outbox.shift();
      if (dropped++ % 1000 === 0) log.warn('redis outbox full; dropping oldest publishes', { dropped });
    }
    outbox.push([channel, payload]);
  }

  function flush() {
    if (pub.status !== 'ready') return;
    for (const [channel, payload] of outbox.splice(0)) send(channel, payload);
  }

  return {
    publish(topic, message) {
      deliver(topic, message);
      const payload = `${nodeId}|${message.seq ?? ''}|${message.to ?? ''}|${message.json}`;
      if (pub.status === 'ready') send(channelOf(topic), payload);
      else keep(channelOf(topic), payload);
    },
    subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) {
        handlers.set(topic, (set = new Set()));
        // While Redis is down this settles at once: the recovery after reconnecting covers the gap.
        confirmed.set(
          topic,
          sub.subscribe(channelOf(topic)).then(
            () => {},
            () => {},
          ),
        );
      }
      const mine = set;
      mine.add(handler);
      return {
        ready: confirmed.get(topic) ?? Promise.resolve(),
        close() {
          mine.delete(handler);
          if (mine.size || handlers.get(topic) !== mine) return;
          handlers.delete(topic);
          confirmed.delete(topic);
          // Failing only while Redis is down; a reconnect subscribes to the wanted topics alone, so nothing is left behind.
          sub.unsubscribe(channelOf(topic)).catch(() => {});
        },
      };
    },
    onRecover(listener) {
      recoverListeners.add(listener);
      return () => recoverListeners.delete(listener);
    },
    healthy: () => pub.status === 'ready' && sub.status === 'ready',
    async close() {
      handlers.clear();
      await Promise.allSettled([sub.quit(), pub.quit()]);
      sub.disconnect();
      pub.disconnect();
    },
  };
}
