/**
 * Kanban load on PostgreSQL: card moves per second and event latency, from just before a mover
 * calls `cards.move` to each subscriber's stock tRPC client yielding that `card_moved` (one
 * process, one clock). Two shapes:
 *   - one board, 20 users: every user subscribed to the board and moving its own cards in a loop;
 *   - 1,000 boards of 5 users: every user subscribed to its board, one mover per board at a time.
 * One `bun server/index.ts` over a fresh PostgreSQL database and Redis, started like the cluster
 * suite. Users, groups, boards and cards are seeded in SQL (registration's password hashing is not
 * what is measured); access tokens are minted with the instance's secret.
 *
 *   bun bench/boards.ts [--seconds 10] [--users 20] [--boards 1000] [--per-board 5] [--movers 50]
 *
 * Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else the local ones). Prints the numbers
 * and writes bench/results/boards.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateNKeysBetween } from 'fractional-indexing';
import { boardColumns, boards, cards, groups, memberships, users } from '../server/db/schema/index.ts';
import { httpClient, wsClient } from '../server/test/helpers/clients.ts';
import { startCluster, type Cluster } from '../server/test/helpers/cluster.ts';
import { mintToken } from '../server/test/helpers/fixtures.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    users: { type: 'string', default: '20' },
    boards: { type: 'string', default: '1000' },
    'per-board': { type: 'string', default: '5' },
    movers: { type: 'string', default: '50' },
  },
});
const SECONDS = Number(values.seconds);
const ONE_BOARD_USERS = Number(values.users);
const BOARDS = Number(values.boards);
const PER_BOARD = Number(values['per-board']);
const MOVERS = Number(values.movers);
const CARDS_PER_USER = 5;
const RESULTS = join(import.meta.dir, 'results/boards.json');

const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
const round = (ms: number) => Math.round(ms * 100) / 100;
function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { count: s.length, p50_ms: round(pct(s, 50)), p90_ms: round(pct(s, 90)), p99_ms: round(pct(s, 99)), max_ms: round(s.at(-1) ?? 0) };
}

type Seeded = { boardId: string; columns: string[]; members: Array<{ id: string; token: string; cards: string[] }> };

/** Seeds `count` boards, each in its own group of `members` users with `CARDS_PER_USER` cards per user in its first column. */
async function seed(cluster: Cluster, count: number, members: number, tag: string): Promise<Seeded[]> {
  const { db } = cluster.database;
  const out: Seeded[] = [];
  const colKeys = generateNKeysBetween(null, null, 3);
  const cardKeys = generateNKeysBetween(null, null, members * CARDS_PER_USER);
  for (let start = 0; start < count; start += 100) {
    const n = Math.min(100, count - start);
    const people = await db
      .insert(users)
      .values(
        Array.from({ length: n * members }, (_, i) => ({
          username: `${tag}_${start * members + i}`,
          displayName: 'bench',
          passwordHash: 'x',
        })),
      )
      .returning({ id: users.id, username: users.username });
    const gs = await db
      .insert(groups)
      .values(Array.from({ length: n }, (_, b) => ({ name: `${tag}${start + b}`, ownerId: people[b * members]!.id })))
      .returning({ id: groups.id });
    await db
      .insert(memberships)
      .values(
        gs.flatMap((g, b) =>
          people
            .slice(b * members, (b + 1) * members)
            .map((p, k) => ({ groupId: g.id, userId: p.id, role: k === 0 ? ('owner' as const) : ('member' as const) })),
        ),
      );
    const bs = await db
      .insert(boards)
      .values(gs.map((g, b) => ({ groupId: g.id, name: `board${start + b}`, createdBy: people[b * members]!.id })))
      .returning({ id: boards.id });
    const cols = await db
      .insert(boardColumns)
      .values(bs.flatMap((b) => ['To do', 'Doing', 'Done'].map((name, i) => ({ boardId: b.id, name, position: colKeys[i]! }))))
      .returning({ id: boardColumns.id, boardId: boardColumns.boardId, position: boardColumns.position });
    for (const [b, board] of bs.entries()) {
      const columns = cols
        .filter((c) => c.boardId === board.id)
        .sort((x, y) => (x.position < y.position ? -1 : 1))
        .map((c) => c.id);
      const team = people.slice(b * members, (b + 1) * members);
      const made = await db
        .insert(cards)
        .values(
          team.flatMap((p, k) =>
            Array.from({ length: CARDS_PER_USER }, (_, j) => ({
              boardId: board.id,
              columnId: columns[0]!,
              title: `c${k}.${j}`,
              position: cardKeys[k * CARDS_PER_USER + j]!,
              createdBy: p.id,
            })),
          ),
        )
        .returning({ id: cards.id, createdBy: cards.createdBy });
      out.push({
        boardId: board.id,
        columns,
        members: await Promise.all(
          team.map(async (p) => ({
            id: p.id,
            token: await mintToken(p, 3_600_000),
            cards: made.filter((c) => c.createdBy === p.id).map((c) => c.id),
          })),
        ),
      });
    }
  }
  return out;
}

/**
 * Subscribes every member to its board, then runs `movers` closed-loop movers for SECONDS: each
 * takes a board, moves one of its own cards (so its next version is known) to a random column,
 * top or after another of its own cards there. Returns moves/s and delivery latencies.
 */
async function run(cluster: Cluster, seeded: Seeded[], movers: number) {
  const url = cluster.instances[0]!.url;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const sockets: Array<{ close(): unknown }> = [];
  let started = 0;
  await Promise.all(
    seeded.flatMap((s) =>
      s.members.map(
        (m) =>
          new Promise<void>((resolve, reject) => {
            const ws = wsClient(url, m.token);
            sockets.push(ws);
            const seen = new Set<string>();
            ws.api.realtime.board.subscribe(
              { board_id: s.boardId },
              {
                onStarted: () => (started++, resolve()),
                onError: reject,
                onData: (d: any) => {
                  const e = d.data;
                  if (e?.type !== 'card_moved') return;
                  const key = `${e.card.id}:${e.card.version}`;
                  const t0 = sentAt.get(key);
                  // A rebalance re-announces a card at its current version: counted once.
                  if (t0 === undefined || seen.has(key)) return;
                  seen.add(key);
                  latencies.push(performance.now() - t0);
                },
              },
            );
          }),
      ),
    ),
  );
  const versions = new Map<string, number>();
  const columnOf = new Map<string, string>();
  for (const s of seeded) for (const m of s.members) for (const c of m.cards) (versions.set(c, 1), columnOf.set(c, s.columns[0]!));
  // Each (board, member) slot belongs to one mover and each card to one member: versions are predictable.
  const slots = seeded.flatMap((s) => s.members.map((member) => ({ s, member, api: httpClient(url, member.token) })));
  let moves = 0;
  let failures = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(movers, slots.length) }, async (_, w) => {
      const mine = slots.filter((_, i) => i % movers === w);
      for (let i = 0; performance.now() < deadline; i++) {
        const { s, member, api } = mine[i % mine.length]!;
        const card = member.cards[Math.floor(Math.random() * member.cards.length)]!;
        const column = s.columns[Math.floor(Math.random() * s.columns.length)]!;
        const siblings = member.cards.filter((c) => c !== card && columnOf.get(c) === column);
        const after = siblings.length && Math.random() < 0.5 ? siblings[Math.floor(Math.random() * siblings.length)]! : null;
        sentAt.set(`${card}:${versions.get(card)! + 1}`, performance.now());
        try {
          const moved = await api.cards.move.mutate({ card_id: card, column_id: column, after_id: after });
          versions.set(card, moved.version);
          columnOf.set(card, moved.column_id);
          moves++;
        } catch {
          failures++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  // Let the last events land.
  await Bun.sleep(1000);
  for (const ws of sockets) ws.close();
  return {
    subscriptions: started,
    moves,
    failures,
    seconds: round(elapsed),
    moves_per_s: round(moves / elapsed),
    latency: summary(latencies),
  };
}

let cluster: Cluster | null = null;
try {
  process.stdout.write('starting one instance on PostgreSQL... ');
  cluster = await startCluster({ instances: 1, env: { LOG_LEVEL: 'info' } });
  console.log(cluster.instances[0]!.url);

  process.stdout.write(`one board, ${ONE_BOARD_USERS} users: seeding... `);
  const one = await seed(cluster, 1, ONE_BOARD_USERS, 'one');
  // Every user moves their own cards on the same board at once: one mover per user.
  const single = await run(cluster, one, ONE_BOARD_USERS);
  console.log(JSON.stringify(single));

  process.stdout.write(`${BOARDS} boards of ${PER_BOARD} users: seeding... `);
  const many = await seed(cluster, BOARDS, PER_BOARD, 'many');
  const spread = await run(cluster, many, MOVERS);
  console.log(JSON.stringify(spread));

  const result = {
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', bun: Bun.version },
    database: 'postgres',
    seconds: SECONDS,
    one_board: { users: ONE_BOARD_USERS, ...single },
    many_boards: { boards: BOARDS, users_per_board: PER_BOARD, movers: MOVERS, ...spread },
  };
  mkdirSync(join(import.meta.dir, 'results'), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${RESULTS}`);
} finally {
  await cluster?.stop();
}
