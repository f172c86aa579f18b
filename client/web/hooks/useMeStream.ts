import { useEffect, useRef, useState } from 'react';
import { streamHandlers, type MeEvent, type ParleyClient } from '../../index.ts';

/**
 * What the user should know about the link to the server:
 * - `connecting`: the first connection is being made;
 * - `connected`: live;
 * - `reconnecting`: the socket dropped (server down, network gone) and the client retries;
 * - `resuming`: the socket is back and the streams are catching up on what was missed.
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'resuming';

/**
 * The caller's own stream, live (the DM list and badges are loaded from queries; this only says
 * what changed). Its connection state stands for the app's: every subscription shares the socket.
 */
export function useMeStream(api: ParleyClient, onEvent: (e: MeEvent) => void): ConnectionStatus {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  useEffect(() => {
    let everConnected = false;
    const sub = api.realtime.me.subscribe(
      {},
      {
        ...streamHandlers<MeEvent>({
          onEvent: (e) => handler.current(e),
          onError: (err) => console.warn('me stream failed', err),
        }),
        onStarted: () => {
          everConnected = true;
          setStatus('connected');
        },
        onConnectionStateChange: (s) => {
          if (s.state === 'connecting') setStatus(everConnected ? 'reconnecting' : 'connecting');
          // The socket is open again; `started` follows once the stream has resumed.
          else if (s.state === 'pending' && everConnected) setStatus((prev) => (prev === 'connected' ? prev : 'resuming'));
        },
      },
    );
    return () => sub.unsubscribe();
  }, [api]);
  return status;
}
