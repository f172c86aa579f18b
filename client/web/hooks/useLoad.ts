import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../lib/api.ts';

/** Runs `load` when `deps` change and on `reload()`; the last call wins. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  // `load` is a fresh closure every render; `deps` say when it means something new.
  const run = useCallback(load, deps);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    run().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      },
      (err) => mine === generation.current && setError(errorText(err)),
    );
  }, [run]);

  useEffect(() => {
    setData(null);
    reload();
  }, [reload]);

  return { data, error, reload };
}
