// Hand-written SVG chart (no dependencies): fan-out deliveries/s at saturation and p99 latency at
// half saturation, grouped by subscriber count, one bar per target.
const COLORS: Record<string, string> = {
  parley: '#d9480f',
  'raw-bun': '#495057',
  'trpc-node': '#1971c2',
  'socketio-node': '#2f9e44',
};

export type Series = { target: string; values: (number | null)[] };
// Log scale for throughput: peers differ by ~100x, and a linear axis would flatten the slow ones.
type Panel = { title: string; unit: string; groups: string[]; series: Series[]; log?: boolean };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function short(v: number): string {
  if (v === 0) return '0';
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(v >= 1e4 ? 0 : 1)}k`;
  return v >= 10 ? v.toFixed(0) : v.toFixed(1);
}

function panel(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const left = 60;
  const top = 30;
  const bottom = 40;
  const plotW = w - left - 10;
  const plotH = h - top - bottom;
  const vals = p.series.flatMap((s) => s.values.filter((v): v is number => v !== null && v > 0));
  let ticks: number[];
  let height: (v: number) => number; // bar height in px for a value
  if (p.log) {
    const lo = Math.floor(Math.log10(Math.min(...vals, 1e3)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...vals, 1e4))));
    ticks = Array.from({ length: hi - lo + 1 }, (_, i) => Math.pow(10, lo + i));
    height = (v) => (plotH * (Math.log10(Math.max(v, ticks[0]!)) - lo)) / (hi - lo);
  } else {
    const max = niceMax(Math.max(0, ...vals));
    ticks = [0, 1, 2, 3, 4].map((i) => (max * i) / 4);
    height = (v) => (plotH * v) / max;
  }
  const out: string[] = [`<text x="${x0 + left}" y="${y0 + 18}" font-weight="bold">${esc(p.title)}</text>`];
  for (const v of ticks) {
    const y = y0 + top + plotH - height(v);
    out.push(`<line x1="${x0 + left}" x2="${x0 + left + plotW}" y1="${y}" y2="${y}" stroke="#dee2e6"/>`);
    out.push(`<text x="${x0 + left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${short(v)}</text>`);
  }
  const gw = plotW / Math.max(1, p.groups.length);
  const bw = Math.min(48, (gw * 0.8) / Math.max(1, p.series.length));
  p.groups.forEach((g, gi) => {
    const gx = x0 + left + gi * gw + (gw - bw * p.series.length) / 2;
    p.series.forEach((s, si) => {
      const v = s.values[gi];
      const x = gx + si * bw;
      if (v === null || v === undefined) {
        out.push(`<text x="${x + bw / 2}" y="${y0 + top + plotH - 4}" text-anchor="middle" font-size="10">n/a</text>`);
        return;
      }
      const bh = height(v);
      const y = y0 + top + plotH - bh;
      out.push(`<rect x="${x + 2}" y="${y}" width="${bw - 4}" height="${bh}" fill="${COLORS[s.target] ?? '#868e96'}"/>`);
      out.push(`<text x="${x + bw / 2}" y="${y - 3}" text-anchor="middle" font-size="10">${short(v)}</text>`);
    });
    out.push(
      `<text x="${gx + (bw * p.series.length) / 2}" y="${y0 + top + plotH + 16}" text-anchor="middle" font-size="12">${esc(g)}</text>`,
    );
  });
  out.push(
    `<text x="${x0 + 14}" y="${y0 + top + plotH / 2}" transform="rotate(-90 ${x0 + 14} ${y0 + top + plotH / 2})" text-anchor="middle" font-size="11">${esc(p.unit)}</text>`,
  );
  return out.join('\n');
}

/** Renders the two fan-out panels side by side with a shared legend. */
export function fanoutSvg(groups: string[], deliveries: Series[], p99: Series[], note: string): string {
  const W = 960;
  const H = 360;
  const legend = deliveries
    .map(
      (s, i) =>
        `<rect x="${60 + i * 150}" y="${H - 22}" width="12" height="12" fill="${COLORS[s.target] ?? '#868e96'}"/>` +
        `<text x="${78 + i * 150}" y="${H - 12}" font-size="12">${esc(s.target)}</text>`,
    )
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    panel(
      {
        title: 'Fan-out: deliveries/s at saturation (log scale, higher is better)',
        unit: 'deliveries/s',
        groups,
        series: deliveries,
        log: true,
      },
      0,
      0,
      W / 2,
      H - 40,
    ),
    panel({ title: 'p99 latency at half saturation (lower is better)', unit: 'ms', groups, series: p99 }, W / 2, 0, W / 2, H - 40),
    legend,
    `<text x="${W - 10}" y="${H - 12}" text-anchor="end" font-size="10" fill="#868e96">${esc(note)}</text>`,
    `</svg>`,
  ].join('\n');
}
