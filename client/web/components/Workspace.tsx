import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Group, MeEvent, ParleyClient, User } from '../../index.ts';
import { useCoalesced } from '../hooks/useCoalesced.ts';
import { useLoad } from '../hooks/useLoad.ts';
import { useMeStream } from '../hooks/useMeStream.ts';
import { deletedSpaceId, useRoute, type Route, type Space } from '../hooks/useRoute.ts';
import { channelConversation, dmConversation } from '../lib/conversation.ts';
import { Inbox } from '../lib/inbox.ts';
import { FileUrlsContext } from '../hooks/useFileUrl.ts';
import { FileUrls } from '../lib/fileUrls.ts';
import { Outbox } from '../lib/outbox.ts';
import { UploadTray } from '../lib/uploads.ts';
import { ChannelsPane } from './ChannelsPane.tsx';
import { ConversationView } from './ConversationView.tsx';
import { MemberList } from './MemberList.tsx';
import { SearchPanel } from './SearchPanel.tsx';
import { SpaceView } from './SpaceView.tsx';
import { Sidebar } from './Sidebar.tsx';
import { TopBar } from './TopBar.tsx';

interface Props {
  api: ParleyClient;
  me: User;
  onLogout(): void;
}

/** Unread counts have no live event for every message: refresh them this often as well. */
const BADGE_POLL_MS = 30_000;

/** The signed-in app: groups and DMs on the left (a drawer on phones), the conversation, members or search on the right. */
export function Workspace({ api, me, onLogout }: Props) {
  const [route, navigate] = useRoute();
  const [drawer, setDrawer] = useState(false);
  const [aside, setAside] = useState<'members' | 'search' | null>(null);
  const [search, setSearch] = useState('');
  const inbox = useMemo(() => new Inbox(api, me), [api, me]);
  const outbox = useMemo(() => new Outbox(), []);
  useEffect(() => () => outbox.dispose(), [outbox]);
  const tray = useMemo(() => new UploadTray((file, opts) => api.uploadFile(file, opts)), [api]);
  useEffect(() => () => tray.dispose(), [tray]);
  const fileUrls = useMemo(() => new FileUrls((file_id) => api.files.get.query({ file_id })), [api]);
  const threads = useSyncExternalStore(inbox.subscribe, inbox.getThreads);
  const groups = useLoad(() => api.groups.list.query(), [api]);
  const groupId = route.kind === 'group' ? route.groupId : null;
  const channels = useLoad(() => (groupId ? api.channels.list.query({ group_id: groupId }) : Promise.resolve([])), [api, groupId]);
  const members = useLoad(() => (groupId ? api.groups.members.query({ group_id: groupId }) : Promise.resolve([])), [api, groupId]);

  const [spaceChanges, setSpaceChanges] = useState(0);
  const openSpace = useRef<{ groupId: string; space: Space } | null>(null);
  openSpace.current = route.kind === 'group' && route.space ? { groupId: route.groupId, space: route.space } : null;
  const reloadInbox = useCoalesced(() => void inbox.refresh().catch(() => {}));
  const reloadGroups = useCoalesced(groups.reload);
  const reloadChannels = useCoalesced(channels.reload);
  const reloadBadges = useCallback(() => {
    reloadGroups();
    reloadChannels();
  }, [reloadGroups, reloadChannels]);
  const onMeEvent = useCallback(
    (e: MeEvent) => {
      if (e.type === 'dm_message') {
        if (inbox.add(e)) reloadInbox();
      } else if (e.type === 'mention' || e.type === 'read_state') {
        reloadBadges();
        if (e.type === 'read_state' && e.user_id) reloadInbox();
      } else if (/^(doc|board|task_list)_(created|deleted)$/.test(e.type)) {
        setSpaceChanges((n) => n + 1);
        // The open document, board or list was deleted: leave it (its stream ends too; this covers a missed end).
        const deleted = deletedSpaceId(e);
        const open = openSpace.current;
        if (deleted && open?.space.id === deleted) navigate({ kind: 'group', groupId: open.groupId, channelId: null });
      } else if (e.type.startsWith('group_') || e.type === 'role_changed') reloadGroups();
      else if (e.type.startsWith('channel_')) reloadChannels();
    },
    [inbox, reloadInbox, reloadBadges, reloadGroups, reloadChannels, navigate],
  );
  const connection = useMeStream(api, onMeEvent);

  // After a reconnect: refetch what may have changed meanwhile, and resend what waited.
  const wasConnected = useRef(false);
  useEffect(() => {
    if (connection === 'connected') {
      if (wasConnected.current) {
        reloadBadges();
        reloadInbox();
        members.reload();
      } else reloadInbox();
      outbox.retryAll();
      wasConnected.current = true;
    }
  }, [connection]);
  useEffect(() => {
    if (!drawer) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setDrawer(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drawer]);
  useEffect(() => {
    const timer = setInterval(reloadBadges, BADGE_POLL_MS);
    const onFocus = () => reloadBadges();
    window.addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [reloadBadges]);

  const dmPartnerId = route.kind === 'dm' ? route.userId : null;
  const group = groups.data?.find((g) => g.id === groupId) ?? null;
  // An open space outlives its group leaving the list (we were removed): the view says why its session ended.
  const lastGroup = useRef<Group | null>(null);
  if (group) lastGroup.current = group;
  const spaceGroup = group ?? (lastGroup.current?.id === groupId ? lastGroup.current : null);
  const channelId = route.kind === 'group' ? route.channelId : null;
  const space = route.kind === 'group' ? (route.space ?? null) : null;
  const channel = channels.data?.find((c) => c.id === channelId) ?? null;
  const names = useMemo(() => new Map((members.data ?? []).map((m) => [m.user.id, m.user.username])), [members.data]);
  const partnerName = dmPartnerId ? inbox.username(dmPartnerId) : null;

  const conversation = useMemo(() => {
    if (channel) return channelConversation(api, channel);
    if (dmPartnerId && partnerName) return dmConversation(api, { id: dmPartnerId, username: partnerName });
    return null;
    // Rebuilt only when what it points at changes (not on every channels.list refetch), so its stream stays subscribed.
  }, [api, channel?.id, channel?.name, channel?.type, dmPartnerId, partnerName]);

  // A DM opened by link on a fresh device: learn the partner's name before showing the conversation.
  useEffect(() => {
    if (!dmPartnerId || partnerName || !inbox.isLoaded()) return;
    // Unknown partner with no conversation yet: there is no by-id lookup, so go home.
    navigate({ kind: 'home' });
  }, [dmPartnerId, partnerName, threads]);

  // Unread count as it was when the conversation opened (opening it marks it read).
  const unreadAtOpen = useMemo(
    () => (channel ? (channel.unread_count ?? 0) : dmPartnerId ? (threads.find((t) => t.partner.id === dmPartnerId)?.unread ?? 0) : 0),
    [conversation?.key],
  );
  useEffect(() => inbox.setOpen(dmPartnerId), [inbox, dmPartnerId, threads]);

  const go = (next: Route) => {
    setDrawer(false);
    navigate(next);
  };
  const canModerate = group?.my_role === 'owner' || group?.my_role === 'admin';

  // Alt+↑/↓ moves between the group's channels (as in Slack and Discord); Escape closes an aside.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && aside && !drawer) setAside(null);
      if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || !group || !channels.data?.length) return;
      e.preventDefault();
      const list = channels.data;
      const at = list.findIndex((c) => c.id === channelId);
      const next = list[(at + (e.key === 'ArrowDown' ? 1 : -1) + list.length) % list.length]!;
      navigate({ kind: 'group', groupId: group.id, channelId: next.id });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [aside, drawer, group, channels.data, channelId, navigate]);

  return (
    <FileUrlsContext.Provider value={fileUrls}>
      <div className={`app${drawer ? ' drawer-open' : ''}${aside ? ' aside-open' : ''}`} data-testid="app">
        <div className="nav" id="nav" data-testid="nav">
          <Sidebar
            api={api}
            me={me}
            online={connection === 'connected'}
            groups={groups.data ?? []}
            threads={threads}
            route={route}
            onLogout={onLogout}
            onOpenGroup={(id) => navigate({ kind: 'group', groupId: id, channelId: null })}
            onOpenDm={(user) => {
              inbox.remember(user);
              go({ kind: 'dm', userId: user.id });
            }}
            onGroupsChanged={groups.reload}
          />
          {group && (
            <ChannelsPane
              api={api}
              group={group}
              channels={channels.data ?? []}
              selected={channelId}
              onSelect={(id) => go({ kind: 'group', groupId: group.id, channelId: id })}
              onCreated={channels.reload}
              space={space}
              spaceChanges={spaceChanges}
              onOpenSpace={(s) => go({ kind: 'group', groupId: group.id, channelId: null, space: s })}
            />
          )}
        </div>
        <button className="scrim" aria-label="Close menu" tabIndex={drawer ? 0 : -1} onClick={() => setDrawer(false)} />
        <main className="main">
          <TopBar
            connection={connection}
            drawerOpen={drawer}
            onMenu={() => setDrawer(!drawer)}
            hasGroup={!!group}
            aside={aside}
            onToggleMembers={() => setAside(aside === 'members' ? null : 'members')}
            onSearch={(q) => {
              setSearch(q);
              setAside('search');
            }}
          />
          {(connection === 'reconnecting' || connection === 'resuming') && (
            <p className="offline-banner" data-testid="offline-banner" role="status">
              {connection === 'reconnecting'
                ? 'The server cannot be reached. Retrying… What you send now waits and goes out once the connection is back.'
                : 'Connected again: catching up on what you missed…'}
            </p>
          )}
          {spaceGroup && space ? (
            <SpaceView
              space={space}
              api={api}
              me={me}
              group={spaceGroup}
              members={members.data ?? []}
              connection={connection}
              onGone={() => go({ kind: 'group', groupId: spaceGroup.id, channelId: null })}
              onChanged={() => setSpaceChanges((n) => n + 1)}
            />
          ) : conversation ? (
            <ConversationView
              key={conversation.key}
              conv={conversation}
              me={me}
              names={names}
              outbox={outbox}
              tray={tray}
              connection={connection}
              unreadAtOpen={unreadAtOpen}
              canModerate={conversation.key.startsWith('c:') && canModerate}
              onUnknownUser={members.reload}
            />
          ) : (
            <div className="empty" data-testid="empty-state">
              {groupId && groups.data && !group && (
                // A link into a group we are not (or no longer) in.
                <p role="alert" data-testid="group-missing">
                  That group could not be found, or you are not a member of it.
                </p>
              )}
              <p>{group ? 'Pick a channel, or create one.' : 'Pick a group or a conversation, or create one.'}</p>
              <button className="primary only-narrow" onClick={() => setDrawer(true)}>
                Open the menu
              </button>
            </div>
          )}
        </main>
        {aside === 'members' && group && (
          <MemberList members={members.data ?? []} me={me} onClose={() => setAside(null)} onReload={members.reload} />
        )}
        {aside === 'search' && (
          <SearchPanel
            key={search}
            api={api}
            query={search}
            group={group}
            channels={channels.data ?? []}
            me={me.username}
            onClose={() => setAside(null)}
            onOpen={async (m) => {
              const ch = await api.channels.get.query({ channel_id: m.channel_id });
              setAside(null);
              go({ kind: 'group', groupId: ch.group_id, channelId: ch.id });
            }}
          />
        )}
      </div>
    </FileUrlsContext.Provider>
  );
}
