import { useEffect, useRef } from 'react';
import { streamHandlers, type MeEvent, type ParleyClient } from '../../index.ts';

/**
 * The caller's own stream from its beginning (`last_event_id: '0'`), so the DM list can be
 * rebuilt after a reload; the stock client resumes it after reconnects.
 */
export function useMeStream(api: ParleyClient, onEvent: (e: MeEvent) => void) {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const sub = api.realtime.me.subscribe(
      { last_event_id: '0' },
      streamHandlers<MeEvent>({
        onEvent: (e) => handler.current(e),
        onError: (err) => console.warn('me stream failed', err),
      }),
    );
    return () => sub.unsubscribe();
  }, [api]);
}
