import { useCallback, useEffect, useRef, useState } from 'react';
import type { Member, ParleyClient } from '../../index.ts';

/** Not asked more often than this unless someone unknown turns up. */
const FRESH_MS = 5_000;

/**
 * The group's members for assignee pickers. The workspace's list is loaded once per group and
 * nobody tells it when someone joins, so a space reads it again when it opens, when a picker
 * gets focus, and when an assignee it does not know shows up.
 */
export function useMembers(api: ParleyClient, groupId: string, initial: Member[]) {
  const [fetched, setFetched] = useState<Member[] | null>(null);
  const last = useRef(0);
  const refresh = useCallback(
    (force = false) => {
      if (!force && Date.now() - last.current < FRESH_MS) return;
      last.current = Date.now();
      api.groups.members.query({ group_id: groupId }).then(setFetched, () => {});
    },
    [api, groupId],
  );
  useEffect(() => refresh(true), [refresh]);
  const members = fetched ?? initial;
  const known = useCallback((userId: string | null) => !userId || members.some((m) => m.user.id === userId), [members]);
  return { members, refresh, known };
}

/** How a member is named in pickers and on cards. */
export const memberName = (members: Member[], userId: string | null) =>
  userId ? (members.find((m) => m.user.id === userId)?.user.username ?? 'someone') : null;
