/** "alice is typing…", "alice and bob are typing…", "several people are typing…". */
export function TypingIndicator({ typists }: { typists: string[] }) {
  const text =
    typists.length === 0
      ? ''
      : typists.length === 1
        ? `${typists[0]} is typing…`
        : typists.length <= 3
          ? `${typists.slice(0, -1).join(', ')} and ${typists.at(-1)} are typing…`
          : 'Several people are typing…';
  return (
    <div className="typing" data-testid="typing-indicator" aria-live="polite">
      {text}
    </div>
  );
}
