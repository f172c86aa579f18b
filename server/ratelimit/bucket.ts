/**
 * Token buckets kept in this process, for floods that must be dropped cheaply (typing, awareness):
 * no round trip to Redis per event, so in a cluster each node allows its own burst. A bucket
 * holds `burst` tokens and regains `perSecond`; a full bucket is forgotten by the sweep, so the
 * map holds only users who are busy right now.
 */
export interface BucketRule {
  burst: number;
  perSecond: number;
}

export function createBuckets(rule: BucketRule, now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (b: { tokens: number; at: number }, t: number) => {
    b.tokens = Math.min(rule.burst, b.tokens + ((t - b.at) / 1000) * rule.perSecond);
    b.at = t;
  };
  const sweeper = setInterval(() => {
    const t = now();
    for (const [key, b] of buckets) {
      refill(b, t);
      if (b.tokens >= rule.burst) buckets.delete(key);
    }
  }, 30_000);
  sweeper.unref();

  return {
    /** Takes a token for `key`; false when its bucket is empty (the caller drops the event). */
    take(key: string): boolean {
      const t = now();
      let b = buckets.get(key);
      if (!b) buckets.set(key, (b = { tokens: rule.burst, at: t }));
      else refill(b, t);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    size: () => buckets.size,
    dispose() {
      clearInterval(sweeper);
      buckets.clear();
    },
  };
}

export type Buckets = ReturnType<typeof createBuckets>;

/** Per-user flood limits for ephemeral events; `take` always allows when rate limits are off. */
export interface FloodGuard {
  /** A typing event (channel or DM) from `userId` may go out. */
  typing(userId: string): boolean;
  /** A collaborative-document awareness update from `userId` may go out. */
  awareness(userId: string): boolean;
  dispose(): void;
}

/** Typing: a burst of 10, then 2 a second; awareness (cursor moves): a burst of 60, then 20 a second. */
export const TYPING_RULE: BucketRule = { burst: 10, perSecond: 2 };
export const AWARENESS_RULE: BucketRule = { burst: 60, perSecond: 20 };

export function createFloodGuard(enabled: boolean): FloodGuard {
  if (!enabled) return { typing: () => true, awareness: () => true, dispose() {} };
  const typing = createBuckets(TYPING_RULE);
  const awareness = createBuckets(AWARENESS_RULE);
  return {
    typing: (userId) => typing.take(userId),
    awareness: (userId) => awareness.take(userId),
    dispose() {
      typing.dispose();
      awareness.dispose();
    },
  };
}
