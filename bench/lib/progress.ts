// Progress output: a live, overwritten status line on a terminal; one line per finished step
// otherwise (so CI logs stay readable).
const tty = Boolean(process.stderr.isTTY);
let live = false;

/** Overwrites the live status line (terminal only). */
export function status(line: string): void {
  if (!tty) return;
  process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 160) - 1)}`);
  live = true;
}

/** Prints a permanent line (clearing the live line first). */
export function say(line: string): void {
  if (live) process.stderr.write('\r\x1b[2K');
  live = false;
  process.stderr.write(line + '\n');
}

export const fmt = {
  n: (x: number) => Math.round(x).toLocaleString('en-US'),
  ms: (x: number | null) => (x === null ? '-' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)),
  pct: (x: number) => `${(x * 100).toFixed(1)}%`,
};
