// Collaborative documents benchmark: `bun bench/docs.ts [--quick]`.
// Parley's /ws/doc socket (every update persisted before it is relayed; embedded PGlite, or
// PostgreSQL when DATABASE_URL is set) against the stock y-websocket@1.5 server (bin/utils.js
// setupWSConnection on Node with `ws`, in memory, nothing persisted), in the same run, with the
// same clients: 50 editors on one document, then 500 documents with 2 editors each.
// Prints the numbers and writes bench/results/docs.json. Also measures how long loading a
// document edited 100,000 times takes, with and without compaction (bench/docs/load.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { histCount, newHist, percentile, round3 } from './lib/histogram.ts';
import { call, callBatched } from './lib/parley-setup.ts';
import { freshDatabase } from './lib/postgres.ts';
import { freePort, ROOT, rssBytes, startServer, type ServerProc } from './lib/server-proc.ts';
import { measureLoad } from './docs/load.ts';
import { YClient, type SentTimes } from './docs/yclient.ts';

const quick = process.argv.includes('--quick');
/** `--postgres`: Parley on a fresh PostgreSQL database instead of the embedded one. */
const onPostgres = process.argv.includes('--postgres');
/** `--skip-load`: leave out the 100,000-update load measurement. */
const skipLoad = process.argv.includes('--skip-load');
const SECONDS = quick ? 4 : 10;
const log = (s: string) => console.log(`[docs] ${s}`);

interface Target {
  name: 'parley' | 'y-websocket@1.5';
  server: ServerProc;
  /** The socket URL of document `i`. */
  url(i: number): string;
}

async function startParleyTarget(docCount: number): Promise<Target> {
  const port = freePort();
  const fresh = onPostgres ? await freshDatabase() : null;
  const started = await startServer({
    name: 'docs-parley',
    cmd: [process.execPath, 'server/index.ts'],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_MESSAGES: 'off',
      LOG_LEVEL: 'warn',
      DATA_DIR: join(ROOT, 'bench/results/raw/docs-data', String(Date.now())),
    },
    port,
    readyPath: '/readyz',
    // A fresh embedded database migrates on first start; slow on a shared machine.
    timeoutMs: 300_000,
  });
  const server: ServerProc = {
    ...started,
    async stop() {
      await started.stop();
      await fresh?.drop();
    },
  };
  const base = `http://127.0.0.1:${port}`;
  const session = await call(base, 'auth.register', { username: `docs_${Date.now().toString(36)}`, password: 'bench-password-1' });
  const token = session.access_token as string;
  const group = await call(base, 'groups.create', { name: 'bench docs' }, token);
  const docs = await callBatched(
    base,
    'docs.create',
    Array.from({ length: docCount }, (_, i) => ({ group_id: group.id, title: `d${i}` })),
    token,
  );
  return { name: 'parley', server, url: (i) => `ws://127.0.0.1:${port}/ws/doc/${docs[i].id}?token=${token}` };
}

async function startYwsTarget(): Promise<Target> {
  const port = freePort();
  const server = await startServer({
    name: 'docs-y-websocket',
    cmd: ['node', 'bench/peers/y-websocket-node.mjs'],
    env: { PORT: String(port) },
    port,
    readyPath: '/',
  });
  return { name: 'y-websocket@1.5', server, url: (i) => `ws://127.0.0.1:${port}/bench-doc-${i}` };
}

interface ScenarioResult {
  editors: number;
  documents: number;
  updates_sent: number;
  deliveries: number;
  expected_deliveries: number;
  updates_per_s: number;
  deliveries_per_s: number;
  p50_ms: number | null;
  p99_ms: number | null;
  converged: boolean;
  server_rss_mb: number;
  rss_per_open_doc_kb: number;
}

/**
 * `docs` documents with `per` editors each; every editor types a few characters every
 * `intervalMs` for SECONDS. Latency is author-to-receiver, for every receiver.
 */
async function scenario(target: Target, docs: number, per: number, intervalMs: number): Promise<ScenarioResult> {
  const sent: SentTimes = new Map();
  const hist = newHist();
  const before = rssBytes(target.server.pid);
  const clients: YClient[][] = [];
  for (let d = 0; d < docs; d++) {
    const group: YClient[] = [];
    for (let k = 0; k < per; k++) group.push(new YClient(target.url(d), sent, hist));
    clients.push(group);
    if (d % 50 === 49) await Promise.all(clients.flat().map((c) => c.synced));
  }
  const all = clients.flat();
  await Promise.all(all.map((c) => c.synced));
  await Bun.sleep(500);
  const opened = rssBytes(target.server.pid);
  let updates = 0;
  const started = performance.now();
  // Spread the editors over the interval so the load is even.
  const timers = all.map((c, i) =>
    setTimeout(
      () => {
        const t = setInterval(() => {
          c.type('abc ');
          updates++;
        }, intervalMs);
        timers2.push(t);
      },
      (i * intervalMs) / all.length,
    ),
  );
  const timers2: ReturnType<typeof setInterval>[] = [];
  await Bun.sleep(SECONDS * 1000);
  for (const t of timers) clearTimeout(t);
  for (const t of timers2) clearInterval(t);
  const elapsed = (performance.now() - started) / 1000;
  const expected = updates * (per - 1);
  // Let the last updates arrive (bounded), then check every replica of a document agrees.
  const deadline = Date.now() + 15_000;
  while (all.reduce((n, c) => n + c.received, 0) < expected && Date.now() < deadline) await Bun.sleep(50);
  const deliveries = all.reduce((n, c) => n + c.received, 0);
  const converged = clients.every((g) => new Set(g.map((c) => c.doc.getText('content').toString())).size === 1);
  const rss = rssBytes(target.server.pid);
  for (const c of all) c.close();
  return {
    editors: per,
    documents: docs,
    updates_sent: updates,
    deliveries,
    expected_deliveries: expected,
    updates_per_s: Math.round(updates / elapsed),
    deliveries_per_s: Math.round(deliveries / elapsed),
    p50_ms: round(percentile(hist, 50)),
    p99_ms: round(percentile(hist, 99)),
    converged: converged && histCount(hist) === deliveries,
    server_rss_mb: Math.round(rss / 2 ** 20),
    rss_per_open_doc_kb: Math.round((opened - before) / docs / 1024),
  };
}

const round = (x: number | null) => (x === null ? null : round3(x));

async function main() {
  const results: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model,
      bun: Bun.version,
      node: Bun.spawnSync(['node', '--version']).stdout.toString().trim(),
    },
    seconds: SECONDS,
    database: onPostgres ? 'postgres' : 'pglite',
  };
  const scenarios = [
    { key: 'one_doc_50_editors', docs: 1, per: 50, intervalMs: 500 },
    { key: 'docs_500_x2_editors', docs: 500, per: 2, intervalMs: 1000 },
  ];
  for (const s of scenarios) {
    const row: Record<string, ScenarioResult> = {};
    for (const make of [() => startParleyTarget(s.docs), () => startYwsTarget()]) {
      const target = await make();
      try {
        log(`${s.key} on ${target.name}...`);
        row[target.name] = await scenario(target, s.docs, s.per, s.intervalMs);
        log(`${target.name}: ${JSON.stringify(row[target.name])}`);
      } finally {
        await target.server.stop();
      }
    }
    const p = row['parley']!;
    const y = row['y-websocket@1.5']!;
    results[s.key] = {
      ...row,
      ratios_parley_over_y_websocket: {
        p50: p.p50_ms && y.p50_ms ? round3(p.p50_ms / y.p50_ms) : null,
        p99: p.p99_ms && y.p99_ms ? round3(p.p99_ms / y.p99_ms) : null,
        deliveries_per_s: y.deliveries_per_s ? round3(p.deliveries_per_s / y.deliveries_per_s) : null,
        rss_per_open_doc: y.rss_per_open_doc_kb ? round3(p.rss_per_open_doc_kb / y.rss_per_open_doc_kb) : null,
      },
    };
  }
  const file = join(ROOT, 'bench/results', onPostgres ? 'docs-postgres.json' : 'docs.json');
  if (skipLoad && existsSync(file)) results.load_100k_updates = JSON.parse(readFileSync(file, 'utf8')).load_100k_updates;
  else {
    log('loading a document edited 100,000 times...');
    results.load_100k_updates = await measureLoad(quick ? 20_000 : 100_000);
    log(JSON.stringify(results.load_100k_updates));
  }
  const out = join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, onPostgres ? 'docs-postgres.json' : 'docs.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
}

await main();
