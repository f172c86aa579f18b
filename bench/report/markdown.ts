// Builds bench/results/RESULTS.md (every figure, Parley's ratio to each peer, targets) and
// bench/results/fanout.svg from whatever bench/results/<scenario>.json files exist.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEERS, TARGETS } from '../lib/targets.ts';
import { fanoutSvg } from './svg.ts';

type Json = Record<string, any>;
type Row = { label: string; better: 'higher' | 'lower' | 'none'; values: Record<string, number | null | undefined> };

const get = (o: any, path: string): number | null => {
  const v = path.split('.').reduce((a, k) => (a == null ? undefined : a[k]), o);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  if (a == null || b == null || b === 0) return '–';
  return `${(a / b).toFixed(2)}×`;
}

const arrow = (better: Row['better']) => (better === 'higher' ? ' ↑' : better === 'lower' ? ' ↓' : '');

function table(rows: Row[]): string {
  const head = `| figure | ${TARGETS.join(' | ')} | ${PEERS.map((p) => `parley ÷ ${p}`).join(' | ')} |`;
  const sep = `|${' --- |'.repeat(1 + TARGETS.length + PEERS.length)}`;
  const body = rows.map(
    (r) =>
      `| ${r.label}${arrow(r.better)} | ${TARGETS.map((t) => num(r.values[t])).join(' | ')} | ${PEERS.map((p) => ratio(r.values.parley, r.values[p])).join(' | ')} |`,
  );
  return [head, sep, ...body].join('\n');
}

function rowsFor(label: string, better: Row['better'], res: Json, pick: (r: any) => number | null): Row {
  const values: Row['values'] = {};
  for (const t of TARGETS) values[t] = res?.[t] && !res[t].error && !res[t].skipped ? pick(res[t]) : null;
  return { label, better, values };
}

function load(dir: string, name: string): Json | null {
  const f = join(dir, `${name}.json`);
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null;
}

/** Largest value of `key` anywhere inside `o` (steps are nested a few levels deep). */
function maxOf(o: any, key: string): number {
  if (!o || typeof o !== 'object') return 0;
  let m = typeof o[key] === 'number' ? o[key] : 0;
  for (const v of Object.values(o)) if (v && typeof v === 'object') m = Math.max(m, maxOf(v, key));
  return m;
}

function notes(doc: Json): string[] {
  const out = Object.entries(doc.results ?? {})
    .filter(([, r]: [string, any]) => r?.error || r?.skipped)
    .map(([t, r]: [string, any]) => `- ${t}: ${r.error ? `**error**: ${String(r.error).split('\n')[0]}` : `skipped (${r.skipped})`}`);
  // Other jobs on the machine steal the cores the figures depend on: say so next to the figures.
  for (const [t, r] of Object.entries<any>(doc.results ?? {})) {
    const other = Math.max(maxOf(r, 'other_cpu_pct'), maxOf(r, 'background_cpu_pct_before'));
    if (other >= 30) out.push(`- ⚠ ${t}: other processes used up to ${other}% of a core during this run; its figures are understated`);
  }
  return out;
}

/**
 * Latency at equal offered load: each peer at its own half saturation against Parley's ramp step
 * at the same rate (every target ramps through the same rates; Parley's first step at or above
 * the peer's rate, so Parley never gets the lighter load).
 */
function equalLoad(fan: Json, subsKeys: string[]): string[] {
  const parley = fan.results?.parley;
  if (!parley?.subscribers) return [];
  const lines = [
    'Latency at equal offered load: each peer at its half-saturation rate, Parley at the first ramp step at or above that rate.',
    '',
    '| subs | peer | offered msg/s (peer / parley) | peer p50 / p99 ms | parley p50 / p99 ms | parley ÷ peer p50 / p99 |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const k of subsKeys)
    for (const peer of PEERS) {
      const half = fan.results?.[peer]?.subscribers?.[k]?.half;
      const steps: Json[] = parley.subscribers[k]?.steps ?? [];
      if (!half || !steps.length) continue;
      const at = steps.find((st) => st.target_rate >= half.target_rate * 0.999);
      if (!at) continue;
      const over = at.target_rate >= parley.subscribers[k].saturation_send_rate ? " (past Parley's saturation)" : '';
      lines.push(
        `| ${k} | ${peer} | ${num(half.target_rate)} / ${num(at.target_rate)}${over} | ${num(half.p50_ms)} / ${num(half.p99_ms)} | ` +
          `${num(at.p50_ms)} / ${num(at.p99_ms)} | ${ratio(at.p50_ms, half.p50_ms)} / ${ratio(at.p99_ms, half.p99_ms)} |`,
      );
    }
  return lines.length > 4 ? [...lines, ''] : [];
}

const mark = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? '**met**' : '**missed**');

/** Writes RESULTS.md and fanout.svg; returns the markdown. */
export function writeReport(dir: string): string {
  const out: string[] = ['# Parley benchmark results', ''];
  const targets: string[] = [];
  const fan = load(dir, 'fanout');
  const subsKeys: string[] = fan
    ? [...new Set(Object.values(fan.results).flatMap((r: any) => Object.keys(r?.subscribers ?? {})))].sort((a, b) => +a - +b)
    : [];
  const anyDoc = fan ?? load(dir, 'burst') ?? load(dir, 'rooms') ?? load(dir, 'capacity') ?? load(dir, 'persisted') ?? load(dir, 'cluster');
  if (anyDoc) {
    const m = anyDoc.machine;
    out.push(
      `Machine: ${m.cpus} cores (${m.cpu_model}), ${m.mem_gb} GB RAM; Bun ${m.bun}, Node ${m.node}. ` +
        `Load generator and server share the machine; \`server cpu\`/\`loadgen cpu\` per step are in the JSON files. ` +
        `↑ higher is better, ↓ lower is better; ratios are Parley's figure divided by the peer's.`,
      '',
    );
  }
  if (fan) {
    out.push(`## Fan-out (one channel, one sender) — ${fan.mode} run, ${fan.generated_at}`, '');
    const rows: Row[] = [];
    for (const k of subsKeys) {
      rows.push(
        rowsFor(`${k} subs: deliveries/s at saturation`, 'higher', fan.results, (r) =>
          get(r, `subscribers.${k}.saturation_deliveries_per_s`),
        ),
      );
      rows.push(rowsFor(`${k} subs: p50 ms at half saturation`, 'lower', fan.results, (r) => get(r, `subscribers.${k}.half.p50_ms`)));
      rows.push(rowsFor(`${k} subs: p99 ms at half saturation`, 'lower', fan.results, (r) => get(r, `subscribers.${k}.half.p99_ms`)));
      rows.push(
        rowsFor(`${k} subs: delivered at half saturation (%)`, 'higher', fan.results, (r) => {
          const v = get(r, `subscribers.${k}.half.ratio`);
          return v === null ? null : v * 100;
        }),
      );
    }
    const why = subsKeys.flatMap((k) =>
      Object.entries<any>(fan.results)
        .filter(([, r]) => r?.subscribers?.[k])
        .map(
          ([t, r]) =>
            `- ${t}, ${k} subs: saturated at ${num(r.subscribers[k].saturation_send_rate)} msg/s — ${r.subscribers[k].saturation_reason}`,
        ),
    );
    out.push(table(rows), '', ...notes(fan), ...why, '', ...equalLoad(fan, subsKeys), '![fan-out chart](fanout.svg)', '');
    const d = rows.find((r) => r.label.startsWith('1000 subs: deliveries'))?.values;
    const p = rows.find((r) => r.label.startsWith('1000 subs: p99'))?.values;
    const vs = (peer: string, x: number) => (d?.parley != null && d?.[peer] != null ? d.parley >= x * d[peer]! : null);
    targets.push(`| fan-out 1,000 subs ≥ 40% of raw Bun | ${ratio(d?.parley, d?.['raw-bun'])} | ${mark(vs('raw-bun', 0.4))} |`);
    targets.push(`| fan-out 1,000 subs ≥ 5× tRPC adapter on Node | ${ratio(d?.parley, d?.['trpc-node'])} | ${mark(vs('trpc-node', 5))} |`);
    targets.push(`| fan-out 1,000 subs ≥ 3× Socket.IO | ${ratio(d?.parley, d?.['socketio-node'])} | ${mark(vs('socketio-node', 3))} |`);
    targets.push(`| fan-out p99 < 50 ms at half saturation | ${num(p?.parley)} ms | ${mark(p?.parley == null ? null : p.parley < 50)} |`);
    writeFileSync(
      join(dir, 'fanout.svg'),
      fanoutSvg(
        subsKeys.map((k) => `${Number(k).toLocaleString('en-US')} subscribers`),
        TARGETS.map((t) => ({
          target: t,
          values: subsKeys.map((k) => get(fan.results[t], `subscribers.${k}.saturation_deliveries_per_s`)),
        })),
        TARGETS.map((t) => ({ target: t, values: subsKeys.map((k) => get(fan.results[t], `subscribers.${k}.half.p99_ms`)) })),
        `${fan.mode} run ${fan.generated_at}`,
      ),
    );
  }
  const burst = load(dir, 'burst');
  if (burst) {
    out.push(`## Burst (one channel, one sender, no pacing) — ${burst.mode} run, ${burst.generated_at}`, '');
    const b0: any = Object.values(burst.results).find((r: any) => r?.median);
    if (b0) out.push(`${b0.burst} messages sent back to back to ${b0.subscribers} subscribers; median of ${b0.rounds.length} rounds.`, '');
    const rows = [
      rowsFor('deliveries/s (first send to last delivery)', 'higher', burst.results, (r) => get(r, 'median.deliveries_per_s')),
      rowsFor('wall ms (first send to last delivery)', 'lower', burst.results, (r) => get(r, 'median.wall_ms')),
      rowsFor('delivered (%)', 'higher', burst.results, (r) => {
        const v = get(r, 'median.ratio');
        return v === null ? null : v * 100;
      }),
      rowsFor('p50 ms', 'lower', burst.results, (r) => get(r, 'median.p50_ms')),
      rowsFor('p99 ms', 'lower', burst.results, (r) => get(r, 'median.p99_ms')),
      rowsFor('server CPU ms per burst', 'lower', burst.results, (r) => get(r, 'median.server_cpu_ms')),
    ];
    const refused = Object.entries<any>(burst.results)
      .filter(([, r]) => r?.median?.errors)
      .map(([t, r]) => `- ${t}: ${r.median.errors} of ${r.median.sent} sends refused — ${String(r.median.error).slice(0, 200)}`);
    out.push(table(rows), '', ...notes(burst), ...refused, '');
    const d = rows[0]!.values;
    const ok = d.parley != null && d['raw-bun'] != null ? d.parley >= 0.6 * d['raw-bun'] : null;
    targets.push(`| burst fan-out ≥ 0.6× raw Bun | ${ratio(d.parley, d['raw-bun'])} | ${mark(ok)} |`);
  }
  const rooms = load(dir, 'rooms');
  if (rooms) {
    out.push(`## Many rooms — ${rooms.mode} run, ${rooms.generated_at}`, '');
    const r0: any = Object.values(rooms.results).find((r: any) => r?.rooms);
    if (r0) out.push(`${r0.rooms} rooms × ${r0.room_size} subscribers, one sender per room.`, '');
    out.push(
      table([
        rowsFor('deliveries/s at saturation', 'higher', rooms.results, (r) => get(r, 'saturation_deliveries_per_s')),
        rowsFor('p50 ms at half saturation', 'lower', rooms.results, (r) => get(r, 'half.p50_ms')),
        rowsFor('p99 ms at half saturation', 'lower', rooms.results, (r) => get(r, 'half.p99_ms')),
        rowsFor('connections', 'none', rooms.results, (r) => get(r, 'connections')),
      ]),
      '',
      ...notes(rooms),
      ...Object.entries<any>(rooms.results)
        .filter(([, r]) => r?.saturation_reason)
        .map(([t, r]) => `- ${t}: saturated at ${num(r.saturation_send_rate)} msg/s in total — ${r.saturation_reason}`),
      '',
    );
  }
  const pers = load(dir, 'persisted');
  const pv = Object.entries<any>(pers?.results?.parley?.variants ?? {});
  if (pers && pv.length) {
    const name = (v: any) => `${v.db === 'pglite' ? 'PGlite' : 'PostgreSQL'}, ${v.channels} channel${v.channels === 1 ? '' : 's'}`;
    out.push(`## Persisted sends (Parley only) — ${pers.mode} run, ${pers.generated_at}`, '');
    out.push(`${pv[0]![1].senders} sender connections, no subscribers: validate, authorise, persist, acknowledge.`, '');
    out.push(
      '| database, channels | closed loop: in flight per sender | acked/s ↑ | p50 ms | p99 ms | errors |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const [, v] of pv)
      for (const c of v.closed_loops)
        out.push(`| ${name(v)} | ${c.window} | ${num(c.acked_per_s)} | ${num(c.p50_ms)} | ${num(c.p99_ms)} | ${c.errors} |`);
    out.push(
      '',
      `| database, channels | open loop: offered/s | acked/s ↑ | p50 ms | p99 ms | errors |`,
      '| --- | --- | --- | --- | --- | --- |',
      ...pv.map(
        ([, v]) =>
          `| ${name(v)} | ${num(v.open_loop.target_rate)} | ${num(v.open_loop.acked_per_s)} | ${num(v.open_loop.p50_ms)} | ${num(v.open_loop.p99_ms)} | ${v.open_loop.errors} |`,
      ),
    );
    out.push('', ...notes(pers), '');
    const onPostgres = pv.map(([, v]) => v).filter((v) => v.db === 'postgres');
    if (onPostgres.length) {
      const best = Math.max(...onPostgres.flatMap((v) => v.closed_loops.map((c: any) => c.acked_per_s)));
      const p99s = onPostgres.map((v) => v.open_loop.p99_ms).filter((x) => x != null);
      const p99 = p99s.length ? Math.max(...p99s) : null;
      targets.push(`| persisted on PostgreSQL ≥ 20,000 acked msg/s (best closed loop) | ${num(best)}/s | ${mark(best >= 20000)} |`);
      targets.push(
        `| persisted on PostgreSQL p99 ack < 50 ms at 10,000/s offered | ${num(p99)} ms | ${mark(p99 === null ? null : p99 < 50)} |`,
      );
    }
  } else if (pers) out.push('## Persisted sends', '', ...notes(pers), '');
  const clu = load(dir, 'cluster');
  const cv = clu?.results?.parley?.variants;
  if (clu && cv?.['1'] && cv?.['3']) {
    out.push(`## Cluster (PostgreSQL + Redis, one channel, one sender) — ${clu.mode} run, ${clu.generated_at}`, '');
    out.push(
      `${num(cv['3'].subscribers)} subscribers spread evenly over 3 instances, the sender on instance 1, against one instance ` +
        'with the same subscribers on the same PostgreSQL and Redis: the ratio is what the bus costs. ' +
        'CPU in % of one core; server CPU summed over the instances.',
      '',
    );
    // the ramp step that gave the saturation figure
    const sat = (v: any) => v.steps.find((s: any) => s.step === v.saturation_step);
    const figures: [string, Row['better'], (v: any) => number | null][] = [
      ['deliveries/s at saturation', 'higher', (v) => get(v, 'saturation_deliveries_per_s')],
      ['p50 ms at half saturation', 'lower', (v) => get(v, 'half.p50_ms')],
      ['p99 ms at half saturation', 'lower', (v) => get(v, 'half.p99_ms')],
      ['delivered at half saturation (%)', 'higher', (v) => (v.half.ratio == null ? null : v.half.ratio * 100)],
      ['server CPU % at saturation', 'none', (v) => get(sat(v), 'server_cpu_pct')],
      ['Redis CPU % at saturation', 'none', (v) => get(sat(v), 'redis_cpu_pct')],
      ['PostgreSQL CPU % at saturation', 'none', (v) => get(sat(v), 'db_cpu_pct')],
      ['server CPU % at half saturation', 'none', (v) => get(v, 'half.server_cpu_pct')],
      ['connect ms (all subscribers)', 'lower', (v) => get(v, 'connect_ms')],
    ];
    out.push('| figure | 1 instance | 3 instances | 3 ÷ 1 |', '| --- | --- | --- | --- |');
    for (const [label, better, pick] of figures) {
      const [one, three] = [pick(cv['1']), pick(cv['3'])];
      out.push(`| ${label}${arrow(better)} | ${num(one)} | ${num(three)} | ${ratio(three, one)} |`);
    }
    const why = Object.values<any>(cv).map(
      (v) =>
        `- ${v.instances} instance${v.instances > 1 ? 's' : ''}: saturated at ${num(v.saturation_send_rate)} msg/s — ${v.saturation_reason}`,
    );
    out.push('', ...notes(clu), ...why, '');
  } else if (clu) out.push('## Cluster', '', ...notes(clu), '');
  const cap = load(dir, 'capacity');
  if (cap) {
    out.push(`## Capacity (idle subscribed connections) — ${cap.mode} run, ${cap.generated_at}`, '');
    const kb = (r: any) => {
      const v = get(r, 'rss_per_conn_bytes');
      return v === null ? null : v / 1024;
    };
    out.push(
      table([
        rowsFor('connections requested', 'none', cap.results, (r) => get(r, 'requested')),
        rowsFor('connections reached', 'higher', cap.results, (r) => get(r, 'reached')),
        rowsFor('server RSS per connection (KB)', 'lower', cap.results, kb),
        rowsFor('server RSS with all connected (MB)', 'lower', cap.results, (r) => {
          const v = get(r, 'rss_after_bytes');
          return v === null ? null : v / 2 ** 20;
        }),
        rowsFor('connects/s', 'higher', cap.results, (r) => get(r, 'connects_per_s')),
      ]),
      '',
      ...notes(cap),
      '',
    );
    const v = cap.results?.parley ? kb(cap.results.parley) : null;
    targets.push(`| capacity < 10 KB server RSS per connection | ${num(v)} KB | ${mark(v === null ? null : v < 10)} |`);
  }
  const hist = load(dir, 'history');
  const figures = hist?.results?.parley?.figures as Record<string, { p50_ms: number; p95_ms: number; p99_ms: number }> | undefined;
  if (figures) {
    const count = Number(hist!.results.parley.messages ?? 0).toLocaleString('en-US');
    out.push(
      `## History page and search at ${count} messages`,
      '',
      'One stock tRPC HTTP client, calls one at a time, through a real server on PostgreSQL (details: `bench/history/README.md`).',
      '',
      '| call | p50 ms | p95 ms | p99 ms |',
      '| --- | --- | --- | --- |',
      ...Object.entries(figures).map(([name, f]) => `| ${name} | ${num(f.p50_ms)} | ${num(f.p95_ms)} | ${num(f.p99_ms)} |`),
      '',
    );
    const page = Object.entries(figures).find(([name]) => name.startsWith('list newest page'))?.[1]?.p50_ms ?? null;
    const searches = Object.entries(figures)
      .filter(([name]) => name.startsWith('search'))
      .map(([, f]) => f.p50_ms);
    const search = searches.length ? Math.max(...searches) : null;
    targets.push(`| history page p50 < 2 ms | ${num(page)} ms | ${mark(page === null ? null : page < 2)} |`);
    targets.push(`| search p50 < 30 ms (slowest kind of query) | ${num(search)} ms | ${mark(search === null ? null : search < 30)} |`);
  }
  if (targets.length) out.push('## Targets', '', '| target | Parley | verdict |', '| --- | --- | --- |', ...targets, '');
  const md = out.join('\n');
  writeFileSync(join(dir, 'RESULTS.md'), md);
  return md;
}
