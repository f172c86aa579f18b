import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type DragEvent } from 'react';
import type { SignalPayload, User } from '../../index.ts';
import { useConversation } from '../hooks/useConversation.ts';
import type { ConnectionStatus } from '../hooks/useMeStream.ts';
import { useReadMarker } from '../hooks/useReadMarker.ts';
import { nonce } from '../lib/api.ts';
import { CallController } from '../lib/call.ts';
import type { Conversation } from '../lib/conversation.ts';
import { iceServers } from '../lib/ice.ts';
import type { Outbox } from '../lib/outbox.ts';
import type { UploadTray } from '../lib/uploads.ts';
import { CallPanel } from './CallPanel.tsx';
import { Composer } from './Composer.tsx';
import type { MessageActions } from './MessageItem.tsx';
import { MessageList } from './MessageList.tsx';
import { PresenceBar } from './PresenceBar.tsx';
import { TypingIndicator } from './TypingIndicator.tsx';

interface Props {
  conv: Conversation;
  me: User;
  /** Usernames of the group's members, for presence that arrives as bare ids, and for @-completion. */
  names: Map<string, string>;
  outbox: Outbox;
  /** Files picked for the next message of each conversation. */
  tray: UploadTray;
  connection: ConnectionStatus;
  /** Unread messages when the view opened: where the "new messages" line goes. */
  unreadAtOpen: number;
  canModerate: boolean;
  onUnknownUser?(): void;
}

/** One channel or DM: history, live messages, presence, typing and (in VOICE/VIDEO channels and DMs) calls. */
export function ConversationView({ conv, me, names, outbox, tray, connection, unreadAtOpen, canModerate, onUnknownUser }: Props) {
  const call = useMemo(
    () =>
      conv.call
        ? new CallController({
            media: conv.call,
            iceServers: iceServers(),
            send: (type, data, to) => conv.signal(type, data as unknown as SignalPayload, to),
          })
        : null,
    [conv],
  );
  useEffect(() => () => call?.dispose(), [call]);
  const callState = useSyncExternalStore(call?.subscribe ?? noop, call?.getState ?? nothing);

  const chat = useConversation(conv, me.id, (e) => call?.handle(e.type, { id: e.from_user_id, username: e.from_username }, e.data));
  const { merge } = chat;
  useEffect(() => outbox.onSent((key, m) => key === conv.key && merge([m])), [outbox, conv.key, merge]);
  const allPending = useSyncExternalStore(outbox.subscribe, outbox.getItems);
  const pending = useMemo(() => allPending.filter((o) => o.convKey === conv.key), [allPending, conv.key]);
  const line = useReadMarker(conv, chat.messages, me.id, unreadAtOpen, chat.hasOlder);
  const [restore, setRestore] = useState<{ text: string } | null>(null);
  const allUploads = useSyncExternalStore(tray.subscribe, tray.getItems);
  const uploads = useMemo(() => allUploads.filter((u) => u.convKey === conv.key), [allUploads, conv.key]);
  const [note, setNote] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const attach = useCallback(
    (files: File[]) => {
      if (files.length) setNote(tray.add(conv.key, files));
    },
    [tray, conv.key],
  );

  const actions: MessageActions = useMemo(
    () => ({
      edit: async (id, content) => merge([await conv.edit(id, content)]),
      remove: (id) => conv.remove(id),
      react: async (id, emoji, on) => merge([await conv.react(id, emoji, on)]),
    }),
    [conv, merge],
  );
  const onSubmit = useCallback(
    (content: string) => {
      const files = tray.take(conv.key);
      if (!files) return false;
      outbox.enqueue(conv.key, conv.send, content, nonce(), files);
      setNote(null);
      return true;
    },
    [outbox, tray, conv],
  );
  // Files dragged from the desktop onto the conversation are attached to the next message.
  const dragHandlers = {
    onDragEnter: (e: DragEvent) => carriesFiles(e) && setDragging(true),
    onDragOver: (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      setDragging(false);
      attach([...e.dataTransfer.files]);
    },
  };

  // Presence is only known while connected: offline, nobody (not even me) is shown as here.
  const live = connection === 'connected';
  const here = live ? [...chat.online].map(([id, username]) => ({ id, username: username ?? names.get(id) ?? null })) : [];
  // Someone new is here (joined the group since the members were loaded): reload them, for @-completion too.
  const unknown = here.some((u) => !names.has(u.id));
  useEffect(() => {
    if (unknown) onUnknownUser?.();
  }, [unknown, onUnknownUser]);
  const mentionable = useMemo(
    () => [...new Set([...names.values(), ...(conv.partner ? [conv.partner.username] : [])])].filter((u) => u !== me.username).sort(),
    [names, conv.partner, me.username],
  );

  return (
    <section className="conversation" data-testid="conversation" data-key={conv.key} aria-label={conv.title} {...dragHandlers}>
      {dragging && (
        <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
          Drop files to send them to {conv.title}
        </div>
      )}
      <header className="conversation-header">
        <h2 data-testid="conversation-title">{conv.title}</h2>
        <PresenceBar
          me={me}
          users={here.map((u) => ({ id: u.id, username: u.username ?? u.id.slice(0, 8) }))}
          partner={conv.partner}
          callKind={conv.call}
          canCall={
            live && callState?.status !== undefined && !['outgoing', 'incoming', 'connecting', 'connected'].includes(callState.status)
          }
          onCall={(peer) => call?.start(peer)}
        />
      </header>
      {call && callState && callState.status !== 'idle' && <CallPanel call={call} state={callState} media={conv.call!} />}
      {chat.error && <p className="error banner">{chat.error}</p>}
      <MessageList
        messages={chat.messages}
        pending={pending}
        meId={me.id}
        me={me.username}
        canModerate={canModerate}
        actions={actions}
        hasOlder={chat.hasOlder}
        loadingOlder={chat.loadingOlder}
        onLoadOlder={chat.loadOlder}
        title={conv.title}
        firstUnread={line}
        onRetry={() => outbox.retry(conv.key)}
        onDiscard={(n) => {
          const back = outbox.discard(n);
          if (back?.content) setRestore({ text: back.content });
          if (back?.attachments.length) tray.restore(conv.key, back.attachments);
        }}
      />
      <TypingIndicator typists={[...chat.typing.values()].map((t) => t.username)} />
      <Composer
        placeholder={`Message ${conv.title}`}
        draftKey={`parley.draft.${me.id}.${conv.key}`}
        onTyping={(is) => conv.typing(is)}
        onSubmit={onSubmit}
        mentionable={mentionable}
        restore={restore}
        uploads={uploads}
        onAttach={attach}
        onRemoveUpload={(id) => tray.remove(id)}
        onRetryUpload={(id) => tray.retry(id)}
        note={note}
      />
    </section>
  );
}

const carriesFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');
const noop = () => () => {};
const nothing = () => null;
