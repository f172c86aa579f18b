// Seeds a PostgreSQL database with N channel messages for the history/search benchmark.
//
//   DATABASE_URL=postgres://root@127.0.0.1:5432/parley_history bun bench/history/seed.ts [--messages 1000000]
//     [--groups 10] [--channels 100] [--users 200] [--hot 0.1] [--days 180] [--seed 42] [--reset]
//
// Writes what a real messages.send writes for each message (the `messages` row — also its
// `message` event, see server/services/messaging/message-json.ts — and the channel's
// `stream_counters` row), through COPY. The message indexes are dropped during the load and
// rebuilt after it from their own definitions in the migrated database.
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openPostgres } from '../../server/db/client.ts';
import { migrate } from '../../server/db/migrate.ts';
import { channelStream } from '../../server/realtime/streams.ts';
import { createCorpus, PASSWORD, READER, rng } from './corpus.ts';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    groups: { type: 'string', default: '10' },
    channels: { type: 'string', default: '100' },
    users: { type: 'string', default: '200' },
    hot: { type: 'string', default: '0.1' },
    days: { type: 'string', default: '180' },
    seed: { type: 'string', default: '42' },
    reset: { type: 'boolean', default: false },
  },
});
const N = Number(args.messages);
const G = Number(args.groups);
const C = Number(args.channels);
const U = Number(args.users);
/** Share of all messages that go to one "hot" channel (deep history). */
const HOT = Number(args.hot);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
if (C < G || U < 2) throw new Error('need at least one channel per group and two users');

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;
const log = (s: string) => console.log(`[${elapsed()}] ${s}`);

await ensureDatabase(url, args.reset);
const database = openPostgres(url, { max: 4 });
await migrate(database, url);
const sql = postgres(url, { max: 4, onnotice: () => {} });
const [{ count: existing } = { count: 0 }] = await sql<{ count: number }[]>`select count(*)::int as count from messages`;
if (existing > 0) throw new Error(`messages already holds ${existing} rows: use --reset (drops and recreates the database)`);

// People, groups, memberships, channels. One reader belongs to every group.
const hash = await Bun.password.hash(PASSWORD, { algorithm: 'argon2id', memoryCost: 19_456, timeCost: 2 });
const users = Array.from({ length: U }, (_, i) => ({ id: crypto.randomUUID(), username: i === 0 ? READER : `bench_user_${i}` }));
await sql`insert into users ${sql(users.map((u) => ({ id: u.id, username: u.username, display_name: u.username, password_hash: hash })))}`;
const groups = Array.from({ length: G }, (_, g) => ({ id: crypto.randomUUID(), name: `history group ${g}`, owner_id: users[0]!.id }));
await sql`insert into groups ${sql(groups)}`;
/** Members of group g: the reader and every user with u % G === g. */
const members = groups.map((_, g) => users.filter((_, u) => u === 0 || u % G === g));
const memberships = groups.flatMap((grp, g) =>
  members[g]!.map((u) => ({ group_id: grp.id, user_id: u.id, role: u === users[0] ? 'owner' : 'member' })),
);
await sql`insert into memberships ${sql(memberships)}`;
const channels = Array.from({ length: C }, (_, c) => ({
  id: crypto.randomUUID(),
  group_id: groups[c % G]!.id,
  name: `channel-${c}`,
  type: 'TEXT',
}));
await sql`insert into channels ${sql(channels)}`;
log(`${U} users, ${G} groups, ${C} channels`);

// Bulk load without the indexes that COPY would otherwise maintain row by row. Their definitions
// come from the migrated database itself, so they are rebuilt exactly as the migrations made them.
const indexes = await sql<{ name: string; def: string }[]>`
  select indexname as name, indexdef as def from pg_indexes
  where schemaname = current_schema() and tablename = 'messages' and indexname <> 'messages_pkey'`;
for (const i of indexes) await sql.unsafe(`drop index ${i.name}`);

const random = rng(Number(args.seed));
const corpus = createCorpus(Number(args.seed));
const seqs = new Int32Array(C);
const start = Date.now() - Number(args.days) * 86_400_000;
const step = (Date.now() - 60_000 - start) / N;
const pickChannel = () => (random() < HOT ? 0 : 1 + Math.floor(random() * (C - 1)));
const esc = (s: string) => s.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');

const messagesCopy = await sql`copy messages (id, channel_id, seq, sender_id, content, created_at) from stdin`.writable();
const write = (w: NodeJS.WritableStream, chunk: string) =>
  new Promise<void>((resolve, reject) => void w.write(chunk, (err) => (err ? reject(err) : resolve())));
const finished = (w: NodeJS.WritableStream) => new Promise<void>((resolve, reject) => w.on('finish', resolve).on('error', reject).end());

const CHUNK = 5_000;
for (let i = 0; i < N; i += CHUNK) {
  let m = '';
  for (let j = i; j < Math.min(N, i + CHUNK); j++) {
    const c = pickChannel();
    const channel = channels[c]!;
    const seq = ++seqs[c]!;
    const group = members[c % G]!;
    const sender = group[Math.floor(random() * group.length)]!;
    const content = corpus.sentence();
    const createdAt = new Date(start + j * step).toISOString();
    const id = crypto.randomUUID();
    m += `${id}\t${channel.id}\t${seq}\t${sender.id}\t${esc(content)}\t${createdAt}\n`;
  }
  await write(messagesCopy, m);
  if ((i / CHUNK) % 40 === 0) log(`${(i + CHUNK).toLocaleString()} / ${N.toLocaleString()} rows copied`);
}
await finished(messagesCopy);
log('copy done');

await sql`insert into stream_counters ${sql(channels.map((ch, c) => ({ stream: channelStream(ch.id), last_seq: seqs[c]! })))}`;

await sql`set maintenance_work_mem = '512MB'`;
for (const i of indexes) {
  await sql.unsafe(i.def);
  log(`${i.name} rebuilt`);
}
await sql`vacuum (analyze) messages`;
await sql`analyze`;
const [{ size } = { size: '?' }] = await sql<{ size: string }[]>`select pg_size_pretty(pg_database_size(current_database())) as size`;
log(`done: ${N.toLocaleString()} messages (hot channel ${seqs[0]!.toLocaleString()}), database ${size}`);
await sql.end();
await database.close();

/** Creates the database named in `target` if it is missing; with `reset`, drops it first. */
async function ensureDatabase(target: string, reset: boolean) {
  const u = new URL(target);
  const name = decodeURIComponent(u.pathname.slice(1));
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  u.pathname = '/postgres';
  const admin = postgres(u.toString(), { max: 1, onnotice: () => {} });
  try {
    if (reset) await admin.unsafe(`drop database if exists ${name} with (force)`);
    const [found] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!found) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
}
