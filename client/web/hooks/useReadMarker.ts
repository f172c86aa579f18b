import { useEffect, useRef, useState } from 'react';
import type { ChatMessage, Conversation } from '../lib/conversation.ts';

/** Reading is reported at most this often. */
const MARK_READ_MS = 400;

/**
 * The "new messages" line and read receipts of one open conversation. The line is placed once, from
 * the unread count the view was opened with (the `unread` newest messages from others are new) and
 * stays put while the conversation is open; what arrives while it is open and visible is read.
 */
export function useReadMarker(
  conv: Conversation,
  messages: ChatMessage[],
  meId: string,
  unreadAtOpen: number,
  hasOlder: boolean | undefined,
) {
  const [line, setLine] = useState<{ id: string | null; count: number } | null>(null);
  const placed = useRef(false);
  const marked = useRef(0);

  useEffect(() => {
    if (placed.current || hasOlder === undefined) return;
    placed.current = true;
    if (unreadAtOpen <= 0) return;
    let seen = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.sender_id === meId) continue;
      if (++seen === unreadAtOpen) return setLine({ id: messages[i]!.id, count: unreadAtOpen });
    }
    // Older than the loaded history: the oldest loaded message is where we can say so.
    setLine({ id: hasOlder ? null : (messages[0]?.id ?? null), count: unreadAtOpen });
  }, [messages, meId, unreadAtOpen, hasOlder]);

  // Once the line's message gets loaded (scrolling up or jumping), it is found by counting again.
  useEffect(() => {
    if (!line || line.id !== null) return;
    let seen = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.sender_id === meId) continue;
      if (++seen === line.count) return setLine({ ...line, id: messages[i]!.id });
    }
  }, [line, messages, meId]);

  const lastSeq = messages.at(-1)?.seq ?? 0;
  const due = useRef(0);
  useEffect(() => {
    const mark = () => {
      const seq = due.current;
      if (!seq || seq <= marked.current || document.visibilityState !== 'visible') return;
      marked.current = seq;
      conv.markRead(seq).catch(() => {
        marked.current = 0; // try again with the next message
      });
    };
    const timer = setInterval(mark, MARK_READ_MS);
    // Leaving the conversation (or the page) reports what was read so far at once.
    window.addEventListener('pagehide', mark);
    return () => {
      clearInterval(timer);
      window.removeEventListener('pagehide', mark);
      mark();
    };
  }, [conv]);
  due.current = lastSeq;

  return line;
}
