import { useEffect, useRef, useState } from 'react';
import type { StreamHandlers } from '../../index.ts';
import { errorText } from '../lib/api.ts';
import { errorCode } from './usePending.ts';

/** How a board or a task list is loaded, followed and kept. */
export interface LiveSpec<D, E extends { type: string }> {
  /** The present state (`boards.get`, `tasks.list`). */
  load(): Promise<D>;
  /** Subscribes to the space's stream; returns the unsubscribe. */
  subscribe(handlers: StreamHandlers<E>): () => void;
  apply(data: D, event: E): D;
  /** An event that says the space is gone (`list_deleted`). */
  isGone?(event: E): boolean;
}

/**
 * A space's state, live: the stream is attached first and the state is read once it has started,
 * so nothing falls between the two; events that arrive meanwhile wait and are applied on top
 * (each carries its item's present state, so the result is the same as a later read). After a
 * reconnect the client resumes the stream from its last event id; a `resync_required` (too much
 * missed) or a reconnect before any event was seen reads the state again. A stream that ends
 * with NOT_FOUND (deleted, or I was removed from the group) calls `onGone`.
 */
export function useLiveSpace<D, E extends { type: string }>(spec: LiveSpec<D, E>, key: string, onGone: () => void) {
  const [data, setData] = useState<D | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const specRef = useRef(spec);
  specRef.current = spec;
  const goneRef = useRef(onGone);
  goneRef.current = onGone;

  useEffect(() => {
    let closed = false;
    /** Events held back while a read is under way; null when the state is current. */
    let held: E[] | null = null;
    let reads = 0;
    let started = false;
    let sawEvent = false;
    const gone = () => {
      if (!closed) goneRef.current();
    };

    const read = () => {
      const mine = ++reads;
      held ??= [];
      specRef.current.load().then(
        (fresh) => {
          if (closed || mine !== reads) return;
          const pending = held ?? [];
          held = null;
          setData(pending.reduce((d, e) => specRef.current.apply(d, e), fresh));
          setError(null);
        },
        (err) => {
          if (closed || mine !== reads) return;
          if (errorCode(err) === 'NOT_FOUND') return gone();
          setError(errorText(err));
        },
      );
    };

    const unsubscribe = specRef.current.subscribe({
      onStarted() {
        // First start: read now. A restart (after a reconnect) resumes from the last event id,
        // unless there was none to resume from.
        if (!started || !sawEvent) read();
        started = true;
        setError(null);
      },
      onEvent(e, seq) {
        if (closed) return;
        if (seq !== null) sawEvent = true;
        if (e.type === 'resync_required') return read();
        if (specRef.current.isGone?.(e)) return gone();
        if (held) held.push(e);
        else setData((d) => (d === null ? d : specRef.current.apply(d, e)));
      },
      onError(err) {
        if (closed) return;
        if (errorCode(err) === 'NOT_FOUND') return gone();
        setError(`Live updates stopped: ${errorText(err)}`);
      },
    });
    return () => {
      closed = true;
      unsubscribe();
    };
  }, [key, attempt]);

  /** Starts over (after a failure that ended the stream). */
  const retry = () => setAttempt((n) => n + 1);
  return { data, setData, error, retry };
}
