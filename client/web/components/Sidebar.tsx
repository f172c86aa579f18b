import type { Group, ParleyClient, User } from '../../index.ts';
import type { Route } from '../hooks/useRoute.ts';
import type { DmThread } from '../lib/inbox.ts';
import { DmList } from './DmList.tsx';
import { GroupList } from './GroupList.tsx';
import { InlineForm } from './InlineForm.tsx';

interface Props {
  api: ParleyClient;
  me: User;
  /** Shown online only while connected. */
  online: boolean;
  groups: Group[];
  threads: DmThread[];
  route: Route;
  onLogout(): void;
  onOpenGroup(groupId: string): void;
  onOpenDm(user: { id: string; username: string }): void;
  onGroupsChanged(): void;
}

/** Who I am, my groups and my direct messages. */
export function Sidebar({ api, me, online, groups, threads, route, onLogout, onOpenGroup, onOpenDm, onGroupsChanged }: Props) {
  return (
    <aside className="sidebar" aria-label="Groups and direct messages">
      <header className="profile">
        <div>
          <span
            className={online ? 'dot on' : 'dot'}
            data-testid="me-presence"
            data-online={online}
            aria-label={online ? 'online' : 'offline'}
            role="img"
          />{' '}
          <strong data-testid="me-username">{me.username}</strong>
          {me.display_name && me.display_name !== me.username && <div className="muted">{me.display_name}</div>}
        </div>
        <button className="link" data-testid="logout" onClick={onLogout}>
          Log out
        </button>
      </header>

      <section>
        <h2>Groups</h2>
        <GroupList groups={groups} selected={route.kind === 'group' ? route.groupId : null} onOpen={onOpenGroup} />
        <InlineForm
          testId="group-create"
          placeholder="New group name"
          button="Create"
          onSubmit={async (name) => {
            const group = await api.groups.create.mutate({ name });
            onGroupsChanged();
            onOpenGroup(group.id);
          }}
        />
        <InlineForm
          testId="join"
          placeholder="Invite code"
          button="Join"
          onSubmit={async (code) => {
            const group = await api.groups.join.mutate({ code });
            onGroupsChanged();
            onOpenGroup(group.id);
          }}
        />
      </section>

      <section>
        <h2>Direct messages</h2>
        <DmList threads={threads} selected={route.kind === 'dm' ? route.userId : null} onOpen={(t) => onOpenDm(t.partner)} />
        <InlineForm
          testId="dm-start"
          placeholder="Message a username"
          button="Open"
          onSubmit={async (username) => {
            const user = await api.users.byUsername.query({ username });
            if (user.id === me.id) throw new Error('That is you. Pick someone else to message.');
            onOpenDm(user);
          }}
        />
      </section>
    </aside>
  );
}
