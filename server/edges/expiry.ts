/**
 * Closes sockets when their access token expires, with one timer for all of them: buckets of
 * one second, swept every second (a socket outlives its token by under a second), instead of a
 * timer per connection, which costs more memory than the rest of an idle connection.
 */
export function createExpiryWheel(onExpire: (item: { expire(): void }) => void = (item) => item.expire()) {
  const buckets = new Map<number, Set<{ expire(): void }>>();
  const sweep = setInterval(() => {
    const now = Math.floor(Date.now() / 1000);
    for (const [second, items] of buckets) {
      if (second > now) continue;
      buckets.delete(second);
      for (const item of items) onExpire(item);
    }
  }, 1000);
  sweep.unref();

  return {
    /** Schedules `item.expire()` at `expSeconds` (seconds since the epoch). */
    add(item: { expire(): void }, expSeconds: number) {
      const second = Math.floor(expSeconds);
      let bucket = buckets.get(second);
      if (!bucket) buckets.set(second, (bucket = new Set()));
      bucket.add(item);
    },
    /** Cancels an `add` (same item, same time); nothing is kept per item to make this possible. */
    remove(item: { expire(): void }, expSeconds: number) {
      const second = Math.floor(expSeconds);
      const bucket = buckets.get(second);
      if (bucket?.delete(item) && !bucket.size) buckets.delete(second);
    },
    dispose() {
      clearInterval(sweep);
      buckets.clear();
    },
  };
}

export type ExpiryWheel = ReturnType<typeof createExpiryWheel>;
