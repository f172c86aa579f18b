const UNITS = ['KB', 'MB', 'GB', 'TB'];

/** A byte count as people read it: "512 B", "1.4 KB", "23 MB" (1 KB = 1024 bytes, as file managers count). */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let n = bytes / 1024;
  let unit = 0;
  while (n >= 1023.5 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  // Three significant digits at most: 1.4 KB, 14 KB, 140 KB.
  const text = n < 10 ? n.toFixed(1).replace(/\.0$/, '') : String(Math.round(n));
  return `${text} ${UNITS[unit]}`;
}
