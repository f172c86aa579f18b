import type { TrackedData } from '@trpc/server/unstable-core-do-not-import';

/** One event as a frontend wants it: the event itself, and its stream sequence when it is durable. */
export interface StreamHandlers<TEvent> {
  onEvent(event: TEvent, seq: number | null): void;
  onError?(error: unknown): void;
  onStarted?(): void;
}

/**
 * Adapts tRPC's subscription callbacks to `onEvent(event, seq)`: durable events arrive from tRPC
 * as `{ id, data }` (tracked) and ephemeral ones bare; this flattens both.
 */
export function streamHandlers<TEvent extends { type: string }>(handlers: StreamHandlers<TEvent>) {
  return {
    onData(value: TEvent | TrackedData<TEvent>) {
      if ('data' in value && 'id' in value && typeof value.id === 'string' && !('type' in value)) {
        handlers.onEvent(value.data as TEvent, Number(value.id));
      } else {
        handlers.onEvent(value as TEvent, null);
      }
    },
    // Always functions, never `undefined`: the result must fit tRPC's optional callbacks under `exactOptionalPropertyTypes`.
    onError(error: unknown) {
      handlers.onError?.(error);
    },
    onStarted() {
      handlers.onStarted?.();
    },
  };
}
