/**
 * tRPC WebSocket frames built by splicing: the event JSON is serialized once and embedded as is,
 * so a frame costs one string concatenation per subscription id, not one JSON.stringify per
 * subscriber. Durable events carry tRPC's tracked id twice, as tRPC's own adapter sends them
 * (`result.id` and `result.data.id`), which stock clients read back as `{ id, data }`.
 * Ephemeral events carry only `result.id`, the subscriber's current position: their data stays
 * bare, but a stock client that saw one last still resumes from the right place.
 */
export type FrameBuilder = (id: number, json: string, tracked: boolean) => string;

export function frameBuilder(idJson: string, jsonrpc: boolean): FrameBuilder {
  const head = jsonrpc ? `{"id":${idJson},"jsonrpc":"2.0","result":{"type":"data",` : `{"id":${idJson},"result":{"type":"data",`;
  return (id: number, json: string, tracked: boolean): string =>
    tracked ? `${head}"id":"${id}","data":{"id":"${id}","data":${json}}}}` : `${head}"id":"${id}","data":${json}}}`;
}

export const RECONNECT_FRAME = '{"id":null,"method":"reconnect"}';

/** Distinct subscription ids whose builders are shared; past this, builders are made per subscription. */
export const FRAME_CACHE_MAX = 4096;

/**
 * Frame builders shared by every live subscription with the same tRPC id (clients number their
 * requests alike, so thousands of subscriptions share a handful). The id is the client's
 * choice, so the cache must not grow with client input: ids are length-capped before they get
 * here, an entry lives only while a subscription holds it (counted, removed by the last
 * release), and past FRAME_CACHE_MAX distinct ids a builder is simply not shared. A holder
 * keeps nothing but the builder it got (an idle subscription's memory is what it holds).
 */
export function createFrameCache(max = FRAME_CACHE_MAX) {
  const entries = new Map<string, { build: FrameBuilder; holders: number }>();
  return {
    /** The builder for a share key (`shareKey(idJson, jsonrpc)`); give it back with `release`. */
    acquire(key: string, idJson: string, jsonrpc: boolean): FrameBuilder {
      let entry = entries.get(key);
      if (!entry) {
        if (entries.size >= max) return frameBuilder(idJson, jsonrpc);
        entries.set(key, (entry = { build: frameBuilder(idJson, jsonrpc), holders: 0 }));
      }
      entry.holders++;
      return entry.build;
    },
    /** Gives back a builder from `acquire`, once; an unshared one (the cache was full) counts for nothing. */
    release(key: string, build: FrameBuilder) {
      const entry = entries.get(key);
      if (entry?.build === build && --entry.holders === 0) entries.delete(key);
    },
    size: () => entries.size,
    clear: () => entries.clear(),
  };
}

/** The key under which subscriptions with this tRPC id share frames (and a native topic). */
export const shareKey = (idJson: string, jsonrpc: boolean) => (jsonrpc ? `${idJson}/2.0` : idJson);
