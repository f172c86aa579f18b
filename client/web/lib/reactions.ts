import type { ChatMessage, ConversationEvent } from './conversation.ts';

type ReactionEvent = Extract<ConversationEvent, { kind: 'reaction' }>;

/**
 * Applies one reaction event. The caller's own reactions are already applied from the mutation's
 * result, so their echo only confirms `me`; other people's change the count.
 */
export function applyReaction(messages: ChatMessage[], e: ReactionEvent, meId: string): ChatMessage[] {
  return messages.map((m) => {
    if (m.id !== e.message_id) return m;
    const existing = m.reactions.find((r) => r.emoji === e.emoji);
    const mine = e.user_id === meId;
    if (mine && (existing?.me ?? false) === e.added) return m;
    let reactions = m.reactions;
    if (e.added) {
      reactions = existing
        ? reactions.map((r) => (r === existing ? { ...r, count: r.count + 1, me: r.me || mine } : r))
        : [...reactions, { emoji: e.emoji, count: 1, me: mine }];
    } else if (existing) {
      reactions = reactions
        .map((r) => (r === existing ? { ...r, count: r.count - 1, me: mine ? false : r.me } : r))
        .filter((r) => r.count > 0);
    }
    return { ...m, reactions };
  });
}
