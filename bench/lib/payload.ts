// Message content shared by every target: `bench|s=<step>|t=<send time ms>|xxxx…` padded to
// PAYLOAD_BYTES. Receivers find the marker with a native Buffer.indexOf and read the two numbers
// straight from the bytes, so the load generator never JSON.parses a delivery.
export const PAYLOAD_BYTES = 100;
export const MARK = Buffer.from('bench|s=');
const PAD = 'x'.repeat(PAYLOAD_BYTES);

/** Wall-clock milliseconds with sub-ms precision, comparable across processes on one host. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Builds the ~100-byte content for a message of `step` sent at `t` (ms). */
export function makeContent(step: number, t: number): string {
  const head = `bench|s=${step}|t=${t.toFixed(3)}|`;
  return head + PAD.slice(0, Math.max(0, PAYLOAD_BYTES - head.length));
}

export type Stamp = { step: number; t: number };

/**
 * Reads step and timestamp at `pos` (the index of MARK in `buf`); returns false if malformed.
 * Writes into `out` to avoid allocating per delivery.
 */
export function readStamp(buf: Uint8Array, pos: number, end: number, out: Stamp): boolean {
  let i = pos + MARK.length;
  let step = 0;
  let c = buf[i]!;
  if (c < 48 || c > 57) return false;
  while (i < end && (c = buf[i]!) >= 48 && c <= 57) {
    step = step * 10 + (c - 48);
    i++;
  }
  // expect "|t="
  if (buf[i] !== 124 || buf[i + 1] !== 116 || buf[i + 2] !== 61) return false;
  i += 3;
  let int = 0;
  while (i < end && (c = buf[i]!) >= 48 && c <= 57) {
    int = int * 10 + (c - 48);
    i++;
  }
  let frac = 0;
  let scale = 1;
  if (buf[i] === 46) {
    i++;
    while (i < end && (c = buf[i]!) >= 48 && c <= 57) {
      frac = frac * 10 + (c - 48);
      scale *= 10;
      i++;
    }
  }
  out.step = step;
  out.t = int + frac / scale;
  return true;
}
