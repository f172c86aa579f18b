import { describe, expect, test } from 'bun:test';
import { mentionQuery } from '../components/MentionMenu.tsx';
import { applyReaction } from './reactions.ts';
import type { ChatMessage } from './conversation.ts';

describe('@ completion', () => {
  test('finds the @word before the caret', () => {
    expect(mentionQuery('hi @al', 6)).toEqual({ start: 3, word: 'al' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, word: '' });
    expect(mentionQuery('mail me@host', 12)).toBeNull();
    expect(mentionQuery('hi @al there', 12)).toBeNull();
  });
});

describe('reactions', () => {
  const base: ChatMessage = {
    id: 'm1',
    seq: 1,
    sender_id: 'a',
    sender_username: 'a',
    content: 'x',
    created_at: new Date().toISOString(),
    edited_at: null,
    reactions: [{ emoji: '👍', count: 1, me: true }],
    attachments: [],
  };
  const ev = (added: boolean, user_id: string) => ({ kind: 'reaction' as const, added, message_id: 'm1', emoji: '👍', user_id, seq: 9 });

  test("my own reaction's echo does not count twice", () => {
    expect(applyReaction([base], ev(true, 'me'), 'me')[0]!.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
  });
  test("others' reactions change the count, and a count of zero disappears", () => {
    expect(applyReaction([base], ev(true, 'bob'), 'me')[0]!.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect(applyReaction([base], ev(false, 'me'), 'me')[0]!.reactions).toEqual([]);
  });
});
