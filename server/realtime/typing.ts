/**
 * Server-side end of typing indicators: a `true` not followed by `false` (or another `true`)
 * within the timeout is ended by the server, so a client that vanished mid-sentence does not
 * leave "is typing…" on everyone's screen.
 */
export function createTypingTimers(timeoutMs: number) {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  return {
    /** Records a typing change for `key`; `onExpire` runs if a `true` is not renewed in time. */
    set(key: string, isTyping: boolean, onExpire: () => void) {
      const existing = timers.get(key);
      if (existing) clearTimeout(existing);
      timers.delete(key);
      if (!isTyping) return;
      const timer = setTimeout(() => {
        timers.delete(key);
        onExpire();
      }, timeoutMs);
      timer.unref?.();
      timers.set(key, timer);
    },
    /** Whether a `true` for `key` is outstanding (its `false` must not be dropped by a flood limit). */
    active: (key: string) => timers.has(key),
    dispose() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}

export type TypingTimers = ReturnType<typeof createTypingTimers>;
