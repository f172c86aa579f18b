/**
 * Cross-instance delivery latency of a Parley cluster: three `bun server/index.ts` instances over
 * one fresh PostgreSQL database and one Redis (started like the cluster test suite does), a
 * sender on instance 1 at a steady rate, subscribers on instances 2 and 3 (and one on instance 1
 * as the same-instance baseline). Latency is end to end: from just before the sender calls
 * `messages.send` to the subscriber's stock tRPC client yielding the event (one process, one clock);
 * the bus hop is a remote arrival minus the first arrival of the same message on instance 1.
 *
 *   bun bench/cluster-latency.ts [--messages 2000] [--rate 200] [--subscribers 2]
 *
 * Needs PostgreSQL and Redis: DATABASE_URL / REDIS_URL, else postgres://root@127.0.0.1:5432/test
 * and redis://127.0.0.1:6379. Prints p50/p90/p99/max and writes bench/results/cluster-latency.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { groupWithChannel, type Registered, users, wsClient } from '../server/test/helpers/fixtures.ts';
import { startCluster, type Cluster } from '../server/test/helpers/cluster.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '200' },
    subscribers: { type: 'string', default: '2' },
  },
});
const MESSAGES = Number(values.messages);
const RATE = Number(values.rate);
const SUBS_PER_INSTANCE = Number(values.subscribers);
if (![MESSAGES, RATE, SUBS_PER_INSTANCE].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('cluster-latency: --messages, --rate and --subscribers must be positive integers');
  process.exit(2);
}

const ROOT = join(import.meta.dir, '..');
const RESULTS = join(ROOT, 'bench/results/cluster-latency.json');

/** Nearest-rank percentile of sorted values. */
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const round = (ms: number) => Math.round(ms * 100) / 100;
function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return {
    count: s.length,
    p50_ms: round(pct(s, 50)),
    p90_ms: round(pct(s, 90)),
    p99_ms: round(pct(s, 99)),
    max_ms: round(s.at(-1)!),
    mean_ms: round(mean),
  };
}

let cluster: Cluster | null = null;
const open: Array<{ close(): unknown }> = [];
try {
  process.stdout.write('starting 3 instances... ');
  cluster = await startCluster({ instances: 3 });
  const [one, two, three] = cluster.instances as [
    (typeof cluster.instances)[0],
    (typeof cluster.instances)[0],
    (typeof cluster.instances)[0],
  ];
  console.log(cluster.instances.map((i) => i.url).join(' '));

  const names = ['sender', ...Array.from({ length: 3 * SUBS_PER_INSTANCE }, (_, i) => `sub${i}`)];
  const [sender, ...subscribers] = (await users(one.url, ...names)) as Registered[];
  const { channel } = await groupWithChannel(sender!, subscribers);

  // Subscribers: SUBS_PER_INSTANCE on each instance; those on instance 1 are the baseline.
  const sentAt = new Float64Array(MESSAGES);
  const placements = [one, two, three].flatMap((instance, n) =>
    subscribers.slice(n * SUBS_PER_INSTANCE, (n + 1) * SUBS_PER_INSTANCE).map((user) => ({ instance, n, user })),
  );
  const latencies: Record<'same' | 'cross', number[]> = { same: [], cross: [] };
  const received = placements.map(() => 0);
  const warmed = placements.map(() => 0);
  // For the bus hop alone: when instance 1's own subscribers got each message, and every remote arrival.
  const firstLocal = new Float64Array(MESSAGES).fill(Infinity);
  const remote: Array<[index: number, at: number]> = [];
  let onProgress = () => {};
  await Promise.all(
    placements.map(
      ({ instance, n, user }, k) =>
        new Promise<void>((resolve, reject) => {
          const client = wsClient(instance.url, user.token);
          open.push(client);
          client.api.realtime.channel.subscribe(
            { channel_id: channel.id },
            {
              onData: (item: any) => {
                const now = performance.now();
                if (item?.type === 'online_users') return resolve();
                const event = item?.data;
                if (event?.type !== 'message') return;
                if (!String(event.content).startsWith('lat ')) {
                  warmed[k]!++;
                  return onProgress();
                }
                const i = Number(String(event.content).slice(4));
                (n === 0 ? latencies.same : latencies.cross).push(now - sentAt[i]!);
                if (n === 0) firstLocal[i] = Math.min(firstLocal[i]!, now);
                else remote.push([i, now]);
                received[k]!++;
                onProgress();
              },
              onError: reject,
            },
          );
        }),
    ),
  );

  // The sender, on instance 1, over its own WebSocket; a short warm-up first (not measured).
  const out = wsClient(one.url, sender!.token);
  open.push(out);
  const WARM = 20;
  for (let i = 0; i < WARM; i++) await out.api.messages.send.mutate({ channel_id: channel.id, content: `warm ${i}` });
  await new Promise<void>((resolve) => {
    onProgress = () => warmed.every((w) => w >= WARM) && resolve();
    onProgress();
  });

  console.log(`sending ${MESSAGES} messages at ${RATE}/s from instance 1 to ${placements.length} subscribers on 3 instances`);
  const interval = 1000 / RATE;
  const acks: number[] = [];
  const pending: Promise<unknown>[] = [];
  const start = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    sentAt[i] = performance.now();
    pending.push(
      out.api.messages.send.mutate({ channel_id: channel.id, content: `lat ${i}` }).then(() => acks.push(performance.now() - sentAt[i]!)),
    );
  }
  const sendSeconds = (performance.now() - start) / 1000;
  await Promise.all(pending);
  // Everything delivered (or give up after 60 s and report what arrived).
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 60_000);
    onProgress = () => {
      if (received.every((r) => r >= MESSAGES)) {
        clearTimeout(timer);
        resolve();
      }
    };
    onProgress();
  });

  const result = {
    benchmark: 'cluster-latency',
    date: new Date().toISOString(),
    command: `bun bench/cluster-latency.ts --messages ${MESSAGES} --rate ${RATE} --subscribers ${SUBS_PER_INSTANCE}`,
    setup: {
      instances: 3,
      database: 'PostgreSQL (fresh database)',
      bus: 'Redis pub/sub',
      messages: MESSAGES,
      target_rate_per_s: RATE,
      achieved_rate_per_s: Math.round(MESSAGES / sendSeconds),
      subscribers_per_instance: SUBS_PER_INSTANCE,
      sender: 'instance 1, messages.send over tRPC WebSocket',
      cpus: cpus().length,
      bun: Bun.version,
      note: 'servers, PostgreSQL, Redis and all clients share one machine; latency = send call to subscriber onData, one clock',
    },
    delivered: { expected: MESSAGES * placements.length, received: received.reduce((a, b) => a + b, 0) },
    cross_instance: summary(latencies.cross),
    // Remote arrival minus the first arrival at the sender's own instance: the Redis hop alone.
    bus_hop: summary(remote.filter(([i]) => Number.isFinite(firstLocal[i]!)).map(([i, at]) => at - firstLocal[i]!)),
    same_instance: summary(latencies.same),
    send_ack: summary(acks),
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  const line = (name: string, s: ReturnType<typeof summary>) =>
    `${name.padEnd(26)} n=${String(s.count).padStart(5)}  p50 ${s.p50_ms} ms  p90 ${s.p90_ms} ms  p99 ${s.p99_ms} ms  max ${s.max_ms} ms`;
  console.log(line('cross-instance (2 and 3)', result.cross_instance));
  console.log(line('same instance (baseline)', result.same_instance));
  console.log(line('bus hop (remote - local)', result.bus_hop));
  console.log(line('send -> ack (instance 1)', result.send_ack));
  console.log(`delivered ${result.delivered.received}/${result.delivered.expected}; wrote ${RESULTS}`);
} finally {
  for (const c of open) c.close();
  await cluster?.stop();
}
