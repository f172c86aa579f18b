// Where Parley's time goes during a step, from its own /metrics (Prometheus text): the send path's
// group commits (batching delay, write, publish) and the event loop's lag. Scraped before and
// after a step; prom-client resets the event-loop-lag histogram on every scrape, so the second
// scrape's lag figures cover exactly the step. Peers have no such metrics: null for them.

type Histogram = { buckets: Array<[le: number, count: number]>; sum: number; count: number };
/** `ms`: how long the scrape took, as Prometheus would see it (the server's event loop is stalled for most of it). */
export type Scrape = { histograms: Map<string, Histogram>; gauges: Map<string, number>; ms: number };

const SEND_PARTS = ['wait', 'write', 'publish'] as const;

export async function scrapeMetrics(port: number): Promise<Scrape | null> {
  try {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    if (!res.ok) return null;
    const text = await res.text();
    return text.includes('parley_send_write_seconds') ? { ...parse(text), ms: performance.now() - started } : null;
  } catch {
    return null;
  }
}

function parse(text: string): Omit<Scrape, 'ms'> {
  const histograms = new Map<string, Histogram>();
  const gauges = new Map<string, number>();
  const hist = (name: string) => {
    let h = histograms.get(name);
    if (!h) histograms.set(name, (h = { buckets: [], sum: 0, count: 0 }));
    return h;
  };
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) continue;
    const [, name, labels = '', raw] = m;
    const value = Number(raw);
    if (name!.endsWith('_bucket')) {
      const le = /le="([^"]+)"/.exec(labels)?.[1];
      if (le) hist(name!.slice(0, -7)).buckets.push([le === '+Inf' ? Infinity : Number(le), value]);
    } else if (name!.endsWith('_sum') && labels === '') hist(name!.slice(0, -4)).sum = value;
    else if (name!.endsWith('_count') && labels === '') hist(name!.slice(0, -6)).count = value;
    else if (labels === '') gauges.set(name!, value);
  }
  return { histograms, gauges };
}

/** The bucket bound below which `p`% of the observations between two scrapes fall. */
function quantile(before: Histogram | undefined, after: Histogram, p: number): number | null {
  const total = after.count - (before?.count ?? 0);
  if (total <= 0) return null;
  for (let i = 0; i < after.buckets.length; i++) {
    const [le, n] = after.buckets[i]!;
    if (n - (before?.buckets[i]?.[1] ?? 0) >= (total * p) / 100) return le;
  }
  return null;
}

const ms = (s: number | null) => (s === null || !Number.isFinite(s) ? null : Math.round(s * 1e5) / 100);

/** The step's figures: group commits, messages per commit, each part's mean and p99 (bucket bound), event-loop lag. */
export function stepMetrics(before: Scrape | null, after: Scrape | null) {
  if (!before || !after) return null;
  const count = (name: string) => {
    const a = after.histograms.get(name);
    const b = before.histograms.get(name);
    return a ? { n: a.count - (b?.count ?? 0), sum: a.sum - (b?.sum ?? 0), a, b } : null;
  };
  const batches = count('parley_send_batch_messages');
  const parts = Object.fromEntries(
    SEND_PARTS.flatMap((part) => {
      const c = count(`parley_send_${part}_seconds`);
      if (!c || !c.n) return [];
      return [
        [`${part}_mean_ms`, ms(c.sum / c.n)],
        [`${part}_p99_ms`, ms(quantile(c.b, c.a, 99))],
      ];
    }),
  ) as Partial<Record<`${(typeof SEND_PARTS)[number]}_${'mean' | 'p99'}_ms`, number | null>>;
  return {
    group_commits: batches?.n ?? 0,
    messages_per_commit: batches?.n ? Math.round((batches.sum / batches.n) * 10) / 10 : null,
    ...parts,
    loop_lag_p50_ms: ms(after.gauges.get('nodejs_eventloop_lag_p50_seconds') ?? null),
    loop_lag_p99_ms: ms(after.gauges.get('nodejs_eventloop_lag_p99_seconds') ?? null),
    loop_lag_max_ms: ms(after.gauges.get('nodejs_eventloop_lag_max_seconds') ?? null),
    scrape_ms: Math.round(after.ms * 100) / 100,
  };
}

export type StepMetrics = NonNullable<ReturnType<typeof stepMetrics>>;

/**
 * Scrapes now and returns the step's end: it scrapes again and gives the figures between the two
 * (null for a target without Parley's metrics, or with no port to ask).
 */
export async function metricsStep(port: number | undefined): Promise<() => Promise<StepMetrics | null>> {
  const before = port ? await scrapeMetrics(port) : null;
  return async () => (before && port ? stepMetrics(before, await scrapeMetrics(port)) : null);
}

export function describeMetrics(m: StepMetrics): string {
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(v < 10 ? 2 : 0));
  return (
    `server: ${m.group_commits} commits of ${f(m.messages_per_commit)} msgs, ` +
    `wait ${f(m.wait_mean_ms)}/${f(m.wait_p99_ms)} ms, write ${f(m.write_mean_ms)}/${f(m.write_p99_ms)} ms, ` +
    `publish ${f(m.publish_mean_ms)}/${f(m.publish_p99_ms)} ms (mean/p99), ` +
    `loop lag p50/p99/max ${f(m.loop_lag_p50_ms)}/${f(m.loop_lag_p99_ms)}/${f(m.loop_lag_max_ms)} ms, ` +
    `scrape ${f(m.scrape_ms)} ms`
  );
}
