import { useLayoutEffect, useRef } from 'react';
import type { ChatMessage } from '../lib/conversation.ts';
import { MessageItem } from './MessageItem.tsx';

interface Props {
  messages: ChatMessage[];
  meId: string;
  /** undefined while the first page loads. */
  hasOlder: boolean | undefined;
  loadingOlder: boolean;
  onLoadOlder(): void;
  title: string;
}

/** Load the previous page when the view is scrolled this close to the top. */
const TOP_THRESHOLD_PX = 120;
/** Follow new messages only when the reader is already at (or near) the bottom. */
const STICKY_BOTTOM_PX = 80;

/**
 * Messages oldest first. Scrolling to the top loads older pages (the reading position stays put);
 * new messages scroll into view when the reader is at the bottom or wrote them.
 */
export function MessageList({ messages, meId, hasOlder, loadingOlder, onLoadOlder, title }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const prev = useRef({ first: '', last: '', height: 0, top: 0, atBottom: true });

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const first = messages[0]?.id ?? '';
    const last = messages.at(-1);
    const p = prev.current;
    if (!p.first && first)
      el.scrollTop = el.scrollHeight; // first page: start at the newest
    else if (first !== p.first && p.first)
      el.scrollTop = el.scrollHeight - p.height + p.top; // older page prepended: keep position
    else if (last && last.id !== p.last && (p.atBottom || last.sender_id === meId)) el.scrollTop = el.scrollHeight;
    prev.current = { first, last: last?.id ?? '', height: el.scrollHeight, top: el.scrollTop, atBottom: isAtBottom(el) };
    // A short first page may not fill the view, which then cannot scroll: fetch more right away.
    if (hasOlder && !loadingOlder && el.scrollHeight <= el.clientHeight) onLoadOlder();
  }, [messages, meId, hasOlder, loadingOlder, onLoadOlder]);

  function onScroll() {
    const el = box.current!;
    prev.current = { ...prev.current, height: el.scrollHeight, top: el.scrollTop, atBottom: isAtBottom(el) };
    if (el.scrollTop < TOP_THRESHOLD_PX && hasOlder && !loadingOlder) onLoadOlder();
  }

  return (
    <div className="messages" ref={box} onScroll={onScroll} data-testid="message-list">
      <div className="history-edge">
        {hasOlder === false ? (
          <span data-testid="history-start">This is the beginning of {title}.</span>
        ) : (
          <span data-testid="history-loading">{loadingOlder ? 'Loading older messages…' : ' '}</span>
        )}
      </div>
      {messages.map((m, i) => (
        <MessageItem key={m.id} message={m} mine={m.sender_id === meId} continued={messages[i - 1]?.sender_id === m.sender_id} />
      ))}
    </div>
  );
}

const isAtBottom = (el: HTMLElement) => el.scrollHeight - el.scrollTop - el.clientHeight < STICKY_BOTTOM_PX;
