import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { ParleyClient, SignalPayload, User } from '../../index.ts';
import { useConversation } from '../hooks/useConversation.ts';
import { CallController } from '../lib/call.ts';
import type { Conversation } from '../lib/conversation.ts';
import { iceServers } from '../lib/ice.ts';
import { CallPanel } from './CallPanel.tsx';
import { Composer } from './Composer.tsx';
import { MessageList } from './MessageList.tsx';
import { PresenceBar } from './PresenceBar.tsx';
import { TypingIndicator } from './TypingIndicator.tsx';

interface Props {
  api: ParleyClient;
  conv: Conversation;
  me: User;
  /** Usernames of the group's members, for presence that arrives as bare ids. */
  names: Map<string, string>;
  onUnknownUser?(): void;
}

/** One channel or DM: history, live messages, presence, typing and (in VOICE/VIDEO channels and DMs) calls. */
export function ConversationView({ conv, me, names, onUnknownUser }: Props) {
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

  const here = [...chat.online].map(([id, username]) => ({ id, username: username ?? names.get(id) ?? null }));
  const unknown = here.some((u) => u.username === null);
  useEffect(() => {
    if (unknown) onUnknownUser?.();
  }, [unknown, onUnknownUser]);

  return (
    <section className="conversation" data-testid="conversation" data-key={conv.key}>
      <header className="conversation-header">
        <h2 data-testid="conversation-title">{conv.title}</h2>
        <PresenceBar
          me={me}
          users={here.map((u) => ({ id: u.id, username: u.username ?? u.id.slice(0, 8) }))}
          partner={conv.partner}
          callKind={conv.call}
          canCall={callState?.status !== undefined && !['outgoing', 'incoming', 'connecting', 'connected'].includes(callState.status)}
          onCall={(peer) => call?.start(peer)}
        />
      </header>
      {call && callState && callState.status !== 'idle' && <CallPanel call={call} state={callState} media={conv.call!} />}
      {chat.error && <p className="error banner">{chat.error}</p>}
      <MessageList
        messages={chat.messages}
        meId={me.id}
        hasOlder={chat.hasOlder}
        loadingOlder={chat.loadingOlder}
        onLoadOlder={chat.loadOlder}
        title={conv.title}
      />
      <TypingIndicator typists={[...chat.typing.values()].map((t) => t.username)} />
      <Composer
        placeholder={`Message ${conv.title}`}
        onTyping={(is) => conv.typing(is)}
        onSend={async (content, nonce) => chat.merge([await conv.send(content, nonce)])}
      />
    </section>
  );
}

const noop = () => () => {};
const nothing = () => null;
