import { useCallback, useMemo, useRef, useState } from 'react';
import { TRPCClientError } from '../../index.ts';
import { errorText } from '../lib/api.ts';
import { VersionChain } from '../lib/versions.ts';

/** One write: what to show meanwhile, and how to send it. */
export interface Write<Op, R> {
  /** Shown until the write settles (on failure it is simply dropped, which undoes it). */
  op?: Op;
  /** The item and the version the user saw, when the write is guarded by `expected_version`. */
  item?: { id: string; version: number };
  send(expectedVersion: number | undefined): Promise<R>;
  /** Applies the server's answer (in the same render as the op is dropped, so nothing flickers). */
  done?(result: R): void;
  /** What failed, for the message: "move this card". */
  what: string;
  /** Shows the failure somewhere else than the view's banner (a dialog). */
  fail?(text: string, err: unknown): void;
}

export const errorCode = (err: unknown) => (err instanceof TRPCClientError ? (err.data as { code?: string } | undefined)?.code : undefined);

/** A failed write in words; a CONFLICT says that someone else was first. */
export function failureText(err: unknown, what: string): string {
  if (errorCode(err) === 'CONFLICT')
    return `Could not ${what}: someone else changed it meanwhile, so your change was undone. What you see now is the latest; try again.`;
  if (errorCode(err) === 'NOT_FOUND') return `Could not ${what}: it was deleted meanwhile.`;
  return `Could not ${what}: ${errorText(err)}`;
}

/**
 * Writes applied at once on screen and sent one at a time, in order (so a move "after X" reaches
 * the server after X's own move). A failure drops the shown change and says why.
 */
export function usePending<Op>() {
  const [ops, setOps] = useState<{ key: number; op: Op }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const versions = useRef(new VersionChain());
  const counter = useRef(0);

  const run = useCallback(<R>(write: Write<Op, R>): Promise<R | undefined> => {
    const key = ++counter.current;
    if (write.op !== undefined) setOps((list) => [...list, { key, op: write.op! }]);
    const settle = () => setOps((list) => list.filter((o) => o.key !== key));
    const next = queue.current.then(async () => {
      const item = write.item;
      const expected = item ? versions.current.expected(item.id, item.version) : undefined;
      try {
        const result = await write.send(expected);
        const version = (result as { version?: unknown } | undefined)?.version;
        if (item && expected !== undefined && typeof version === 'number') versions.current.confirm(item.id, expected, version);
        write.done?.(result);
        if (!write.fail) setError(null);
        return result;
      } catch (err) {
        const text = failureText(err, write.what);
        if (write.fail) write.fail(text, err);
        else setError(text);
        return undefined;
      } finally {
        settle();
      }
    });
    queue.current = next;
    return next;
  }, []);

  const shown = useMemo(() => ops.map((o) => o.op), [ops]);
  const clearError = useCallback(() => setError(null), []);
  return { ops: shown, run, error, clearError };
}
