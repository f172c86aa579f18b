import { useEffect } from 'react';
import type { Member, Role, User } from '../../index.ts';

const ORDER: Role[] = ['owner', 'admin', 'member'];
const TITLE: Record<Role, string> = { owner: 'Owner', admin: 'Admins', member: 'Members' };
/** Presence in the list is refreshed this often while it is open. */
const REFRESH_MS = 15_000;

/** The group's members by role, online first. */
export function MemberList({ members, me, onClose, onReload }: { members: Member[]; me: User; onClose(): void; onReload(): void }) {
  useEffect(() => {
    onReload();
    const timer = setInterval(onReload, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <aside className="aside" data-testid="member-list" aria-label="Members">
      <header>
        <h2>Members</h2>
        <button className="link" onClick={onClose} aria-label="Close members">
          ✕
        </button>
      </header>
      {ORDER.map((role) => {
        const list = members
          .filter((m) => m.role === role)
          .sort((a, b) => Number(b.online) - Number(a.online) || a.user.username.localeCompare(b.user.username));
        if (!list.length) return null;
        return (
          <section key={role}>
            <h3>
              {TITLE[role]} — {list.length}
            </h3>
            <ul className="list">
              {list.map((m) => (
                <li
                  key={m.user.id}
                  className="member"
                  data-testid="member"
                  data-username={m.user.username}
                  data-role={m.role}
                  data-online={m.online}
                >
                  <span className={m.online ? 'dot on' : 'dot'} aria-hidden="true" />
                  <span className="grow">
                    {m.user.display_name && m.user.display_name !== m.user.username ? m.user.display_name : m.user.username}
                    {m.user.id === me.id && <span className="muted"> (you)</span>}
                  </span>
                  <span className="sr-only">{m.online ? 'online' : 'offline'}</span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}
