import { useCallback, useEffect, useRef } from 'react';

/** `fn`, called at most once per `ms` however often the returned function is called in that time. */
export function useCoalesced(fn: () => void, ms = 100) {
  const latest = useRef(fn);
  latest.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return useCallback(() => {
    timer.current ??= setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  }, [ms]);
}
