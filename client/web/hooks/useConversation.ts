import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../lib/api.ts';
import type { ChatMessage, Conversation, ConversationEvent } from '../lib/conversation.ts';
import { applyReaction } from '../lib/reactions.ts';

/** Page size for history; `?page=N` overrides it (tests use small pages to exercise scrolling). */
const PAGE = Number(new URLSearchParams(window.location.search).get('page')) || 50;
/** A typing indicator not refreshed for this long disappears even if the `false` was lost. */
const TYPING_STALE_MS = 10_000;

export interface Typist {
  username: string;
  until: number;
}

type SignalEvent = Extract<ConversationEvent, { kind: 'signal' }>;

/**
 * A conversation's messages (history merged with the live stream, deduplicated by id, ordered by
 * seq), who is here, who is typing; WebRTC signals go to `onSignal`.
 */
export function useConversation(conv: Conversation, meId: string, onSignal: (e: SignalEvent) => void) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [olderFrom, setOlderFrom] = useState<number | null | undefined>(undefined);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [online, setOnline] = useState<Map<string, string | null>>(new Map());
  const [typing, setTyping] = useState<Map<string, Typist>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const signalRef = useRef(onSignal);
  signalRef.current = onSignal;
  const loading = useRef(false);

  const merge = useCallback((items: ChatMessage[]) => {
    setMessages((prev) => {
      const byId = new Map(prev.map((m) => [m.id, m]));
      for (const m of items) byId.set(m.id, m);
      return [...byId.values()].sort((a, b) => a.seq - b.seq);
    });
  }, []);

  const loadPage = useCallback(
    async (before: number | null) => {
      if (loading.current) return;
      loading.current = true;
      setLoadingOlder(true);
      try {
        const page = await conv.loadPage(before, PAGE);
        merge(page.items);
        setOlderFrom(page.next_before_seq);
      } catch (err) {
        setError(errorText(err));
      } finally {
        loading.current = false;
        setLoadingOlder(false);
      }
    },
    [conv, merge],
  );

  useEffect(() => {
    const handle = (e: ConversationEvent) => {
      switch (e.kind) {
        case 'message':
          merge([e.message]);
          setTyping((t) => without(t, e.message.sender_id));
          break;
        case 'updated':
          merge([e.message]);
          break;
        case 'deleted':
          setMessages((prev) => prev.filter((m) => m.id !== e.id));
          break;
        case 'reaction':
          setMessages((prev) => applyReaction(prev, e, meId));
          break;
        case 'online':
          setOnline((prev) => new Map(e.user_ids.map((id) => [id, prev.get(id) ?? null])));
          break;
        case 'joined':
          setOnline((prev) => new Map(prev).set(e.user_id, e.username));
          break;
        case 'left':
          setOnline((prev) => without(prev, e.user_id));
          setTyping((t) => without(t, e.user_id));
          break;
        case 'typing':
          if (e.user_id === meId) break;
          setTyping((t) =>
            e.is_typing ? new Map(t).set(e.user_id, { username: e.username, until: Date.now() + TYPING_STALE_MS }) : without(t, e.user_id),
          );
          break;
        case 'signal':
          signalRef.current(e);
          break;
        case 'resync':
          void loadPage(null);
          break;
      }
    };
    // Live first, then history: anything sent in between arrives on one or the other, and merge dedupes.
    const unsubscribe = conv.subscribe(handle, (err) => setError(errorText(err)));
    void loadPage(null);
    return unsubscribe;
  }, [conv, meId, merge, loadPage]);

  // Drop typing indicators whose `false` never came.
  useEffect(() => {
    if (!typing.size) return;
    const next = Math.min(...[...typing.values()].map((t) => t.until));
    const timer = setTimeout(() => setTyping((t) => new Map([...t].filter(([, v]) => v.until > Date.now()))), next - Date.now() + 50);
    return () => clearTimeout(timer);
  }, [typing]);

  const loadOlder = useCallback(() => {
    if (typeof olderFrom === 'number') void loadPage(olderFrom);
  }, [olderFrom, loadPage]);

  return {
    messages,
    merge,
    /** undefined until the first page; null when the beginning is loaded. */
    hasOlder: olderFrom === undefined ? undefined : olderFrom !== null,
    loadingOlder,
    loadOlder,
    online,
    typing,
    error,
  };
}

function without<V>(map: Map<string, V>, key: string): Map<string, V> {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}
