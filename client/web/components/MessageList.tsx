import { Fragment, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ChatMessage } from '../lib/conversation.ts';
import type { Outgoing } from '../lib/outbox.ts';
import { MessageItem, type MessageActions } from './MessageItem.tsx';
import { PendingItem } from './PendingItem.tsx';

interface Props {
  messages: ChatMessage[];
  pending: Outgoing[];
  meId: string;
  me: string;
  canModerate: boolean;
  actions: MessageActions;
  /** undefined while the first page loads. */
  hasOlder: boolean | undefined;
  loadingOlder: boolean;
  onLoadOlder(): void;
  title: string;
  /** Where the "new messages" line goes: before this message; `above` when it is older than what is loaded. */
  firstUnread: { id: string | null; count: number } | null;
  onRetry(): void;
  onDiscard(nonce: string): void;
}

/** Load the previous page when the view is scrolled this close to the top. */
const TOP_THRESHOLD_PX = 120;
/** Follow new messages only when the reader is already at (or near) the bottom. */
const STICKY_BOTTOM_PX = 80;

/**
 * Messages oldest first, then what is still being sent. Scrolling to the top loads older pages
 * (the reading position stays put); new messages scroll into view when the reader is at the
 * bottom or wrote them. A "new messages" line marks the first unread one, with a jump button
 * while it is out of sight.
 */
export function MessageList(props: Props) {
  const { messages, pending, meId, hasOlder, loadingOlder, onLoadOlder, title, firstUnread } = props;
  const box = useRef<HTMLDivElement>(null);
  const prev = useRef({ first: '', last: '', pending: 0, height: 0, top: 0, atBottom: true });
  const [lineVisible, setLineVisible] = useState(true);
  const jumping = useRef(false);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const first = messages[0]?.id ?? '';
    const last = messages.at(-1);
    const p = prev.current;
    const line = el.querySelector<HTMLElement>('[data-testid="unread-line"]');
    if (!p.first && first) {
      // First page: start at the first unread message if there is one, else at the newest.
      el.scrollTop = line ? line.offsetTop - el.offsetTop - 40 : el.scrollHeight;
    } else if (first !== p.first && p.first)
      el.scrollTop = el.scrollHeight - p.height + p.top; // older page prepended: keep position
    else if ((last && last.id !== p.last && (p.atBottom || last.sender_id === meId)) || pending.length > p.pending)
      el.scrollTop = el.scrollHeight;
    prev.current = {
      first,
      last: last?.id ?? '',
      pending: pending.length,
      height: el.scrollHeight,
      top: el.scrollTop,
      atBottom: isAtBottom(el),
    };
    // A short first page may not fill the view, which then cannot scroll: fetch more right away.
    if (hasOlder && !loadingOlder && el.scrollHeight <= el.clientHeight) onLoadOlder();
    // Jumping to an unread line older than the loaded history: keep loading until it is here.
    if (jumping.current) {
      if (line) {
        jumping.current = false;
        line.scrollIntoView({ block: 'start' });
      } else if (hasOlder && !loadingOlder) onLoadOlder();
    }
    updateLine();
  }, [messages, pending.length, meId, hasOlder, loadingOlder, onLoadOlder]);

  // The list shrinks when the composer grows (picked files, a longer draft): a reader at the bottom stays there.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (prev.current.atBottom) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  function updateLine() {
    const el = box.current!;
    const line = el.querySelector<HTMLElement>('[data-testid="unread-line"]');
    const visible = !firstUnread || (line ? line.offsetTop - el.offsetTop >= el.scrollTop - 10 : false);
    setLineVisible(visible);
  }

  function onScroll() {
    const el = box.current!;
    prev.current = { ...prev.current, height: el.scrollHeight, top: el.scrollTop, atBottom: isAtBottom(el) };
    if (el.scrollTop < TOP_THRESHOLD_PX && hasOlder && !loadingOlder) onLoadOlder();
    updateLine();
  }

  function jump() {
    const line = box.current?.querySelector<HTMLElement>('[data-testid="unread-line"]');
    if (line) line.scrollIntoView({ block: 'start' });
    else {
      jumping.current = true;
      onLoadOlder();
    }
  }

  const unreadLabel =
    firstUnread && `${firstUnread.count >= 100 ? '99+' : firstUnread.count} new message${firstUnread.count === 1 ? '' : 's'}`;
  return (
    <div className="messages-wrap">
      {firstUnread && !lineVisible && (
        <button className="jump" data-testid="jump-unread" onClick={jump}>
          {unreadLabel} · Jump ↑
        </button>
      )}
      <div
        className="messages"
        ref={box}
        onScroll={onScroll}
        data-testid="message-list"
        role="log"
        aria-label={`Messages in ${title}`}
        tabIndex={0}
      >
        <div className="history-edge">
          {hasOlder === false ? (
            <span data-testid="history-start">This is the beginning of {title}.</span>
          ) : (
            <span data-testid="history-loading">{loadingOlder ? 'Loading older messages…' : ' '}</span>
          )}
        </div>
        {messages.map((m, i) => (
          <Fragment key={m.id}>
            {firstUnread?.id === m.id && (
              <div className="unread-line" data-testid="unread-line" role="separator">
                <span>New messages</span>
              </div>
            )}
            <MessageItem
              message={m}
              mine={m.sender_id === meId}
              continued={messages[i - 1]?.sender_id === m.sender_id && firstUnread?.id !== m.id}
              me={props.me}
              canModerate={props.canModerate}
              actions={props.actions}
            />
          </Fragment>
        ))}
        {pending.map((o) => (
          <PendingItem key={o.nonce} item={o} me={props.me} onRetry={props.onRetry} onDiscard={() => props.onDiscard(o.nonce)} />
        ))}
      </div>
    </div>
  );
}

const isAtBottom = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < STICKY_BOTTOM_PX;
