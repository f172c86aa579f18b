import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { MeEvent, ParleyClient, User } from '../../index.ts';
import { useCoalesced } from '../hooks/useCoalesced.ts';
import { useLoad } from '../hooks/useLoad.ts';
import { useMeStream } from '../hooks/useMeStream.ts';
import { useRoute } from '../hooks/useRoute.ts';
import { channelConversation, dmConversation } from '../lib/conversation.ts';
import { Inbox } from '../lib/inbox.ts';
import { ChannelsPane } from './ChannelsPane.tsx';
import { ConversationView } from './ConversationView.tsx';
import { Sidebar } from './Sidebar.tsx';

interface Props {
  api: ParleyClient;
  me: User;
  onLogout(): void;
}

/** The signed-in app: groups and DMs on the left, channels in the middle, the conversation on the right. */
export function Workspace({ api, me, onLogout }: Props) {
  const [route, navigate] = useRoute();
  const inbox = useMemo(() => new Inbox(me), [me]);
  const threads = useSyncExternalStore(inbox.subscribe, inbox.getThreads);
  const groups = useLoad(() => api.groups.list.query(), [api]);
  const groupId = route.kind === 'group' ? route.groupId : null;
  const channels = useLoad(() => (groupId ? api.channels.list.query({ group_id: groupId }) : Promise.resolve([])), [api, groupId]);
  const members = useLoad(() => (groupId ? api.groups.members.query({ group_id: groupId }) : Promise.resolve([])), [api, groupId]);

  // The stream replays from its start, so membership events come in bursts: refetch once per burst.
  const reloadGroups = useCoalesced(groups.reload);
  const reloadChannels = useCoalesced(channels.reload);
  const onMeEvent = useCallback(
    (e: MeEvent) => {
      if (e.type === 'dm_message') inbox.add(e);
      else if (e.type.startsWith('group_') || e.type === 'role_changed') reloadGroups();
      else if (e.type.startsWith('channel_')) reloadChannels();
    },
    [inbox, reloadGroups, reloadChannels],
  );
  useMeStream(api, onMeEvent);

  const dmPartnerId = route.kind === 'dm' ? route.userId : null;
  useEffect(() => inbox.setOpen(dmPartnerId), [inbox, dmPartnerId, threads]);

  const group = groups.data?.find((g) => g.id === groupId) ?? null;
  const channelId = route.kind === 'group' ? route.channelId : null;
  const channel = channels.data?.find((c) => c.id === channelId) ?? null;
  const names = useMemo(() => new Map((members.data ?? []).map((m) => [m.user.id, m.user.username])), [members.data]);

  const conversation = useMemo(() => {
    if (channel) return channelConversation(api, channel);
    if (dmPartnerId) return dmConversation(api, { id: dmPartnerId, username: inbox.username(dmPartnerId) ?? dmPartnerId.slice(0, 8) });
    return null;
    // Rebuilt only when what it points at changes (not on every channels.list refetch), so its stream stays subscribed.
  }, [api, channel?.id, channel?.name, channel?.type, dmPartnerId, inbox]);

  return (
    <div className="app">
      <Sidebar
        api={api}
        me={me}
        groups={groups.data ?? []}
        threads={threads}
        route={route}
        onLogout={onLogout}
        onOpenGroup={(id) => navigate({ kind: 'group', groupId: id, channelId: null })}
        onOpenDm={(user) => {
          inbox.remember(user);
          navigate({ kind: 'dm', userId: user.id });
        }}
        onGroupsChanged={groups.reload}
      />
      {group && (
        <ChannelsPane
          api={api}
          group={group}
          channels={channels.data ?? []}
          selected={channelId}
          onSelect={(id) => navigate({ kind: 'group', groupId: group.id, channelId: id })}
          onCreated={channels.reload}
        />
      )}
      <main className="main">
        {conversation ? (
          <ConversationView key={conversation.key} api={api} conv={conversation} me={me} names={names} onUnknownUser={members.reload} />
        ) : (
          <div className="empty" data-testid="empty-state">
            {group ? 'Pick a channel, or create one.' : 'Pick a group or a conversation, or create one.'}
          </div>
        )}
      </main>
    </div>
  );
}
