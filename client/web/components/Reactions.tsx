import { useEffect, useRef } from 'react';
import type { Reaction } from '../../index.ts';

export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

/** The reactions on a message; each chip toggles the caller's own. */
export function ReactionBar({ reactions, onToggle }: { reactions: Reaction[]; onToggle(emoji: string, on: boolean): void }) {
  if (!reactions.length) return null;
  return (
    <div className="reactions" data-testid="reactions">
      {reactions.map((r) => (
        <button
          key={r.emoji}
          className={r.me ? 'reaction me' : 'reaction'}
          data-testid="reaction"
          data-emoji={r.emoji}
          data-count={r.count}
          aria-pressed={r.me}
          aria-label={`${r.emoji} ${r.count} ${r.count === 1 ? 'reaction' : 'reactions'}${r.me ? ', including yours' : ''}`}
          onClick={() => onToggle(r.emoji, !r.me)}
        >
          {r.emoji} <span>{r.count}</span>
        </button>
      ))}
    </div>
  );
}

/** A small row of common emoji; Escape closes it. */
export function ReactionPicker({ onPick, onClose }: { onPick(emoji: string): void; onClose(): void }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div className="picker" role="menu" aria-label="Pick a reaction" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      {QUICK_EMOJI.map((emoji, i) => (
        <button
          key={emoji}
          ref={i === 0 ? first : undefined}
          role="menuitem"
          data-testid="pick-emoji"
          data-emoji={emoji}
          onClick={() => onPick(emoji)}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}
