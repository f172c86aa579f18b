// Log-bucketed latency histogram: fixed size, mergeable across worker processes by adding arrays,
// ~2% relative error, which is far below run-to-run noise on a shared 2-core machine.
const MIN_US = 10; // everything under 10 µs lands in bucket 0
const RATIO = 1.04;
const LOG_RATIO = Math.log(RATIO);
export const BUCKETS = 420; // 10 µs * 1.04^420 ≈ 140 s

/** Bucket index for a latency in milliseconds. */
export function bucketOf(ms: number): number {
  const us = ms * 1000;
  if (!(us > MIN_US)) return 0;
  const i = Math.ceil(Math.log(us / MIN_US) / LOG_RATIO);
  return i >= BUCKETS ? BUCKETS - 1 : i;
}

/** Upper edge of a bucket, in milliseconds. */
export function bucketMs(i: number): number {
  return (MIN_US * Math.pow(RATIO, i)) / 1000;
}

export function newHist(): number[] {
  return new Array<number>(BUCKETS).fill(0);
}

/** Adds b into a (in place) and returns a. */
export function mergeHist(a: number[], b: readonly number[]): number[] {
  for (let i = 0; i < BUCKETS; i++) a[i]! += b[i] ?? 0;
  return a;
}

export function histCount(h: readonly number[]): number {
  let n = 0;
  for (const c of h) n += c;
  return n;
}

/** Percentile (0..100) in ms, or null for an empty histogram. */
export function percentile(h: readonly number[], p: number): number | null {
  const total = histCount(h);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += h[i]!;
    if (seen >= rank) return round3(bucketMs(i));
  }
  return round3(bucketMs(BUCKETS - 1));
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Compact wire form: only non-empty buckets, so IPC reports stay small. */
export function packHist(h: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < BUCKETS; i++) if (h[i]) out.push([i, h[i]!]);
  return out;
}

export function unpackHist(p: readonly [number, number][], into: number[] = newHist()): number[] {
  for (const [i, c] of p) into[i]! += c;
  return into;
}
