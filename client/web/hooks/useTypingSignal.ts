import { useCallback, useEffect, useRef } from 'react';

/** Stop typing after this long without a keystroke. */
const IDLE_MS = 3000;
/** While typing goes on, say so again before the server's 8 s timeout ends it. */
const REPEAT_MS = 5000;

/**
 * Debounced typing indicator: `true` on the first keystroke (and every few seconds while typing
 * continues), `false` once the keys are idle, the message is sent, or the view closes.
 */
export function useTypingSignal(send: (isTyping: boolean) => Promise<unknown>) {
  const sentAt = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const sendRef = useRef(send);
  sendRef.current = send;

  const stop = useCallback(() => {
    if (idle.current) clearTimeout(idle.current);
    idle.current = null;
    if (!sentAt.current) return;
    sentAt.current = 0;
    void sendRef.current(false).catch(() => {});
  }, []);

  const keystroke = useCallback(() => {
    const now = Date.now();
    if (now - sentAt.current > REPEAT_MS) {
      sentAt.current = now;
      void sendRef.current(true).catch(() => {});
    }
    if (idle.current) clearTimeout(idle.current);
    idle.current = setTimeout(stop, IDLE_MS);
  }, [stop]);

  useEffect(() => stop, [stop]);
  return { keystroke, stop };
}
