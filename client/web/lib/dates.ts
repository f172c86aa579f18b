/** Due dates: picked as a calendar day, sent as the end of that day in the user's time zone. */

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of an ISO timestamp in local time, for `<input type="date">`; '' for none. */
export function dueInputValue(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The ISO timestamp for a picked day (its last second, local time); null for a cleared field. */
export function dueFromInput(value: string): string | null {
  const m = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59).toISOString();
}

/** Past its due time and not done. */
export const isOverdue = (iso: string | null, done = false, now = Date.now()) => !!iso && !done && new Date(iso).getTime() < now;

/** A short label: "Today", "Tomorrow", "Yesterday", or "Mar 5" (with the year when it is not this year's). */
export function dueLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const day = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((day(d) - day(now)) / 86_400_000);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Tomorrow';
  if (diff === -1) return 'Yesterday';
  const year = d.getFullYear() === now.getFullYear() ? undefined : 'numeric';
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', ...(year ? { year } : {}) });
}
