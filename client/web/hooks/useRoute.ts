import { useCallback, useEffect, useState } from 'react';

/** What is open, kept in the URL hash so a reload comes back to it. */
export type Route = { kind: 'home' } | { kind: 'group'; groupId: string; channelId: string | null } | { kind: 'dm'; userId: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'g' && parts[1]) return { kind: 'group', groupId: parts[1], channelId: parts[2] === 'c' && parts[3] ? parts[3] : null };
  if (parts[0] === 'dm' && parts[1]) return { kind: 'dm', userId: parts[1] };
  return { kind: 'home' };
}

export function routeHash(route: Route): string {
  if (route.kind === 'group') return `#/g/${route.groupId}${route.channelId ? `/c/${route.channelId}` : ''}`;
  if (route.kind === 'dm') return `#/dm/${route.userId}`;
  return '#/';
}

export function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const navigate = useCallback((next: Route) => {
    window.location.hash = routeHash(next);
    setRoute(next);
  }, []);
  return [route, navigate] as const;
}
