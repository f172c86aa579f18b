/** A stable hue per label, so "bug" has the same colour on every card and every screen. */
function hue(label: string): number {
  let h = 0;
  for (const ch of label.toLowerCase()) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return h;
}

/** A card's labels as small coloured chips. */
export function Labels({ labels }: { labels: string[] }) {
  if (!labels.length) return null;
  return (
    <span className="labels">
      {labels.map((l) => (
        <span key={l} className="label" data-testid="card-label" style={{ ['--hue' as string]: hue(l) }}>
          {l}
        </span>
      ))}
    </span>
  );
}

/** "bug, ui" → ["bug", "ui"]: trimmed, empty ones dropped, each once. */
export function parseLabels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
}
