// History and search latency against a real Parley server over a database seeded by seed.ts.
//
//   DATABASE_URL=postgres://root@127.0.0.1:5432/parley_history bun bench/history/measure.ts [--calls 300]
//     [--url http://127.0.0.1:3000 (use a running server instead of starting one)]
//     [--budget-s 120 --min-calls 100 (slow scenarios stop early)] [--wait-quiet 600 --quiet-load 1.0]
//
// Starts `bun server/index.ts` on that database (RATE_LIMITS=off), logs in as the seeded
// reader (a member of every group) with a stock tRPC client, and times each procedure call one
// at a time (closed loop, one client): the latency a user sees, HTTP included. Prints a table and
// writes bench/results/history.json (or --out).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import postgres from 'postgres';
import type { AppRouter } from '../../client/index.ts';
import { channelStream } from '../../server/realtime/streams.ts';
import { createCorpus, PASSWORD, READER, rng } from './corpus.ts';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '300' },
    /**
     * Uncounted calls first, per scenario: a server that has just started runs its code in JSC's
     * first tiers, which only compile a function to optimized code after some hundreds of calls.
     * With 20 the newest page measured 2.98 ms p50; with 200, 1.45 ms, as a running server serves it.
     */
    warmup: { type: 'string', default: '200' },
    /** A scenario stops early once it made `min-calls` calls and spent this long. */
    'budget-s': { type: 'string', default: '120' },
    'min-calls': { type: 'string', default: '100' },
    /** Wait (up to this many seconds) for the 1-minute load average to fall below `quiet-load` first. */
    'wait-quiet': { type: 'string', default: '0' },
    'quiet-load': { type: 'string', default: '1.0' },
    url: { type: 'string' },
    out: { type: 'string', default: 'bench/results/history.json' },
  },
});
const CALLS = Number(args.calls);
const WARMUP = Number(args.warmup);
const BUDGET_MS = Number(args['budget-s']) * 1000;
const MIN_CALLS = Number(args['min-calls']);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required (the database seed.ts filled)');

const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
const [reader] = await sql<{ id: string }[]>`select id from users where username = ${READER}`;
if (!reader) throw new Error('no seeded reader: run bench/history/seed.ts first');
const channels = await sql<{ id: string; group_id: string; last_seq: number }[]>`
  select c.id, c.group_id, s.last_seq::int as last_seq from channels c join stream_counters s on s.stream = ${channelStream('')} || c.id::text
  order by s.last_seq desc`;
const groups = [...new Set(channels.map((c) => c.group_id))];
const [{ total } = { total: 0 }] = await sql<{ total: number }[]>`select count(*)::int as total from messages`;
const hot = channels[0]!;
const normal = channels.slice(1);
console.log(
  `${total.toLocaleString()} messages, ${channels.length} channels in ${groups.length} groups; hot channel ${hot.last_seq.toLocaleString()}`,
);

const loadBefore = await waitQuiet(Number(args['wait-quiet']), Number(args['quiet-load']));
const server = args.url ? null : await startServer(databaseUrl);
const baseUrl = args.url ?? server!.url;
try {
  const anon = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${baseUrl}/trpc` })] });
  // Access tokens live 15 minutes, less than a whole run: a fresh one before each scenario (not timed).
  let token = '';
  const login = async () => void (token = (await anon.auth.login.mutate({ username: READER, password: PASSWORD })).access_token);
  const api = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${baseUrl}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })],
  });
  const results = await runScenarios(api, login);
  printTable(results);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    args.out,
    JSON.stringify(
      {
        scenario: 'history',
        generated_at: new Date().toISOString(),
        machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, mem_gb: Math.round(totalmem() / 2 ** 30), bun: Bun.version },
        load_average_before: loadBefore,
        load_average_after: loadavg(),
        dataset: { messages: total, channels: channels.length, groups: groups.length, hot_channel_messages: hot.last_seq },
        method:
          `one stock tRPC HTTP client (httpLink), calls one at a time, ${WARMUP} warm-up calls per scenario not counted; ` +
          `${CALLS} calls per scenario, or fewer (at least ${MIN_CALLS}) once a scenario has run ${BUDGET_MS / 1000} s`,
        results,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nwrote ${args.out}`);
} finally {
  await server?.stop();
  await sql.end();
}

interface Result {
  name: string;
  calls: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  mean_ms: number;
  max_ms: number;
  /** Mean items returned per call. */
  mean_items: number;
  /** Search only: mean number of matching messages in the whole database for the terms used. */
  mean_matches?: number;
}

type Api = TRPCClient<AppRouter>;

async function runScenarios(api: Api, login: () => Promise<void>): Promise<Result[]> {
  const random = rng(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const seqIn = (c: { last_seq: number }) => 2 + Math.floor(random() * (c.last_seq - 1));
  // The corpus's vocabulary by frequency, less PostgreSQL's English stop words (a query of only
  // those is refused as having nothing to search for).
  const all = createCorpus(42).vocabulary;
  const [{ words } = { words: [] as string[] }] = await sql<{ words: string[] }[]>`
    select coalesce(array_agg(w order by i), '{}') as words from unnest(${all}::text[]) with ordinality as t(w, i)
    where numnode(plainto_tsquery('english', w)) > 0`;
  const vocab = words;
  /** Terms by frequency rank (1 = most common); the band's hit counts are measured below. */
  const band = (from: number, to: number) => vocab.slice(from - 1, to);
  const bands = {
    'very common (rank 1-2)': band(1, 2),
    'common (rank 5-15)': band(5, 15),
    'medium (rank 80-120)': band(80, 120),
    'selective (rank 2000-4000)': band(2000, 4000),
    'rare (rank 15000-20000)': band(15000, 20000),
  };

  const list = (channel_id: string, q: { before_seq?: number; after_seq?: number; limit?: number } = {}) =>
    api.messages.list.query({ channel_id, limit: 50, ...q }).then((p) => p.items.length);
  const search = (query: string, opts: { group_id?: string; channel_id?: string } = {}) =>
    api.messages.search.query({ query, ...opts }).then((r) => r.length);

  const scenarios: Array<[string, () => Promise<number>, string[]?]> = [
    ['list newest page (hot channel, 50)', () => list(hot.id)],
    ['list newest page (random channel, 50)', () => list(pick(normal).id)],
    ['list deep page (hot channel, before_seq random, 50)', () => list(hot.id, { before_seq: seqIn(hot) })],
    ['list deep page (random channel, before_seq random, 50)', () => list(pick(normal).id, { before_seq: seqIn(pick(normal)) })],
    ['list deep page (hot channel, before_seq random, 100)', () => list(hot.id, { before_seq: seqIn(hot), limit: 100 })],
    ['list forward page (hot channel, after_seq random, 50)', () => list(hot.id, { after_seq: seqIn(hot) })],
    ['list oldest page (hot channel, before_seq 60, 50)', () => list(hot.id, { before_seq: 60 })],
  ];
  for (const [label, terms] of Object.entries(bands)) scenarios.push([`search ${label}, all groups`, () => search(pick(terms)), terms]);
  scenarios.push(
    [
      `search common (rank 5-15), group_id filter`,
      () => search(pick(bands['common (rank 5-15)']), { group_id: pick(groups) }),
      bands['common (rank 5-15)'],
    ],
    [
      `search common (rank 5-15), channel_id filter`,
      () => search(pick(bands['common (rank 5-15)']), { channel_id: pick(normal).id }),
      bands['common (rank 5-15)'],
    ],
    [
      `search selective, group_id filter`,
      () => search(pick(bands['selective (rank 2000-4000)']), { group_id: pick(groups) }),
      bands['selective (rank 2000-4000)'],
    ],
    ['search common word excluding another', () => search(`${pick(band(5, 15))} -${pick(band(1, 2))}`)],
    ['search two common words (AND)', () => search(`${pick(band(3, 10))} ${pick(band(3, 10))}`)],
    ['search phrase of two common words', () => search(`"${pick(band(1, 4))} ${pick(band(1, 4))}"`)],
    ['channels.list with unread counts (10 channels)', () => api.channels.list.query({ group_id: pick(groups) }).then((r) => r.length)],
    ['groups.list with unread sums (all 100 channels)', () => api.groups.list.query().then((r) => r.length)],
  );

  const results: Result[] = [];
  for (const [name, call, terms] of scenarios) {
    await login();
    for (let i = 0; i < WARMUP; i++) await call();
    const times: number[] = [];
    let items = 0;
    const began = performance.now();
    for (let i = 0; i < CALLS; i++) {
      if (i >= MIN_CALLS && performance.now() - began > BUDGET_MS) break;
      const t = performance.now();
      items += await call();
      times.push(performance.now() - t);
    }
    const r = summarize(name, times, items / times.length);
    if (terms) r.mean_matches = await meanMatches(terms);
    results.push(r);
    console.log(`${name}: p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms (${r.calls} calls, load ${loadavg()[0]!.toFixed(2)})`);
  }
  return results;
}

/** Mean number of messages matching each term (over a sample of the band's terms). */
async function meanMatches(terms: string[]): Promise<number> {
  const sample = terms.slice(0, 10);
  let sum = 0;
  for (const t of sample) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from messages where search @@ websearch_to_tsquery('english', ${t})`;
    sum += row?.n ?? 0;
  }
  return Math.round(sum / sample.length);
}

function summarize(name: string, times: number[], meanItems: number): Result {
  const s = [...times].sort((a, b) => a - b);
  const q = (p: number) => round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!);
  return {
    name,
    calls: s.length,
    p50_ms: q(0.5),
    p95_ms: q(0.95),
    p99_ms: q(0.99),
    mean_ms: round(s.reduce((a, b) => a + b, 0) / s.length),
    max_ms: round(s.at(-1)!),
    mean_items: round(meanItems),
  };
}

function round(x: number) {
  return Math.round(x * 100) / 100;
}

function printTable(results: Result[]) {
  const head = ['scenario', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms', 'max ms', 'items', 'matches'];
  const rows = results.map((r) =>
    [r.name, r.p50_ms, r.p95_ms, r.p99_ms, r.mean_ms, r.max_ms, r.mean_items, r.mean_matches ?? ''].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}`);
  for (const r of rows) console.log(line(r));
}

/** Waits up to `maxS` seconds for the 1-minute load average to drop below `below`; returns the load averages then. */
async function waitQuiet(maxS: number, below: number): Promise<number[]> {
  const deadline = Date.now() + maxS * 1000;
  while (loadavg()[0]! >= below && Date.now() < deadline) await Bun.sleep(5000);
  if (loadavg()[0]! >= below && maxS > 0) console.log(`machine still busy (load ${loadavg()[0]!.toFixed(2)}); measuring anyway`);
  return loadavg();
}

/** Starts `bun server/index.ts` on a free port over `url` and waits until it is ready. */
async function startServer(url: string) {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const port = probe.port;
  probe.stop(true);
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-history-'));
  const proc = Bun.spawn([process.execPath, 'server/index.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
      JWT_SECRET: `history-bench-${crypto.randomUUID()}`,
    },
    stdout: 'inherit',
    stderr: 'inherit',
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error('server did not become ready');
    await Bun.sleep(100);
  }
  return {
    url: base,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
