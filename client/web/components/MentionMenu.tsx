/** The `@word` being typed just before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; word: string } | null {
  const m = text.slice(0, caret).match(/(^|\s)@([a-z0-9_.-]{0,32})$/i);
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, word: m[2]! };
}

/** Usernames matching the `@word` being typed; arrows move, Enter or Tab picks, Escape closes. */
export function MentionMenu({ id, matches, active, onPick }: { id: string; matches: string[]; active: number; onPick(u: string): void }) {
  return (
    <ul className="mention-menu" id={id} role="listbox" aria-label="Mention someone" data-testid="mention-menu">
      {matches.map((u, i) => (
        <li
          key={u}
          id={`mention-${i}`}
          role="option"
          aria-selected={i === active}
          className={i === active ? 'active' : ''}
          data-testid="mention-option"
          onMouseDown={(e) => {
            e.preventDefault();
            onPick(u);
          }}
        >
          @{u}
        </li>
      ))}
    </ul>
  );
}
