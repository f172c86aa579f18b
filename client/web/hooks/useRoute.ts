import { useCallback, useEffect, useState } from 'react';
import type { MeEvent } from '../../index.ts';

/** A group's collaborative spaces besides its channels: a document, a board or a task list. */
export type SpaceKind = 'doc' | 'board' | 'tasks';
export type Space = { kind: SpaceKind; id: string };

/** What is open, kept in the URL hash so a reload comes back to it. */
export type Route =
  { kind: 'home' } | { kind: 'group'; groupId: string; channelId: string | null; space?: Space } | { kind: 'dm'; userId: string };

/** The hash segment of each space kind: `#/g/<group>/d/<document>`, `/b/<board>`, `/t/<list>`. */
const SEGMENT: Record<SpaceKind, string> = { doc: 'd', board: 'b', tasks: 't' };
const KIND_OF = Object.fromEntries(Object.entries(SEGMENT).map(([kind, seg]) => [seg, kind])) as Record<string, SpaceKind>;

/** The document, board or task list a `realtime.me` event says was deleted, if it says so. */
export function deletedSpaceId(e: MeEvent): string | null {
  if (e.type === 'doc_deleted') return e.document_id;
  if (e.type === 'board_deleted') return e.board_id;
  if (e.type === 'task_list_deleted') return e.list_id;
  return null;
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'g' && parts[1]) {
    const groupId = parts[1];
    if (parts[2] === 'c' && parts[3]) return { kind: 'group', groupId, channelId: parts[3] };
    const space = parts[2] && KIND_OF[parts[2]];
    if (space && parts[3]) return { kind: 'group', groupId, channelId: null, space: { kind: space, id: parts[3] } };
    return { kind: 'group', groupId, channelId: null };
  }
  if (parts[0] === 'dm' && parts[1]) return { kind: 'dm', userId: parts[1] };
  return { kind: 'home' };
}

export function routeHash(route: Route): string {
  if (route.kind === 'group') {
    const base = `#/g/${route.groupId}`;
    if (route.space) return `${base}/${SEGMENT[route.space.kind]}/${route.space.id}`;
    return route.channelId ? `${base}/c/${route.channelId}` : base;
  }
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
