/** Unread and mention counts as the sidebars show them (the server stops counting at 100). */
export function Badges({ unread = 0, mentions = 0, testId }: { unread?: number; mentions?: number; testId: string }) {
  const fmt = (n: number) => (n >= 100 ? '99+' : String(n));
  if (mentions > 0)
    return (
      <span className="badge mentions" data-testid={`${testId}-mentions`} aria-label={`${fmt(mentions)} mentions, ${fmt(unread)} unread`}>
        @{fmt(mentions)}
      </span>
    );
  if (unread > 0)
    return (
      <span className="badge" data-testid={`${testId}-unread`} aria-label={`${fmt(unread)} unread`}>
        {fmt(unread)}
      </span>
    );
  return null;
}
