/**
 * Collects garbage once a burst of new connections has settled. Each handshake (token check,
 * context, subscribe) leaves short-lived garbage; left to the allocator's own pace after a burst
 * of thousands, it keeps the process several kilobytes per connection larger than what the
 * connections hold. One full collection a second after the burst returns it.
 */
export function createSettleCollector(opts: { enabled: boolean; every?: number; delayMs?: number }) {
  const every = opts.every ?? 500;
  const delayMs = opts.delayMs ?? 1000;
  let sinceLast = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    /** Counts a new connection; after `every` of them, a collection follows `delayMs` after the last. */
    opened() {
      if (!opts.enabled || ++sinceLast < every) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        sinceLast = 0;
        Bun.gc(true);
      }, delayMs);
      timer.unref();
    },
    dispose() {
      if (timer) clearTimeout(timer);
    },
  };
}
