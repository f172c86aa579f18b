// The persisted write path alone: the channel-message group commit (send-batch.ts) driven
// straight from JavaScript against a fresh PostgreSQL database, without sockets or tRPC, so the
// cost per message of the database write can be compared between designs in one run.
//
//   bun bench/write-path.ts [--messages 20000]
//
// Prints, for 50 and 500 sends in flight over 50 channels: acked/s, and CPU per message of this
// process (the batcher's JavaScript) and of PostgreSQL (every backend of the database).
import { sql } from 'drizzle-orm';
import { openPostgres, type Database } from '../server/db/client.ts';
import { migrate } from '../server/db/migrate.ts';
import { createEventLog } from '../server/realtime/eventlog.ts';
import { createSendBatcher } from '../server/services/messaging/send-batch.ts';
import type { Caller } from '../server/services/caller.ts';
import { freshDatabase } from './lib/postgres.ts';
import { postgresCpuMs } from './lib/server-proc.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const MESSAGES = arg('messages', 20_000);
const CHANNELS = 50;
const CONTENT = 'bench|s=1|t=1700000000000|' + 'x'.repeat(74);

async function seed(database: Database): Promise<{ caller: Caller; channels: string[] }> {
  const [user] = await database.rows<{ id: string }>(
    sql`insert into users (username, display_name, password_hash) values ('writer', 'writer', 'x') returning id`,
  );
  const [group] = await database.rows<{ id: string }>(sql`insert into groups (name, owner_id) values ('bench', ${user!.id}) returning id`);
  await database.rows(sql`insert into memberships (group_id, user_id, role) values (${group!.id}, ${user!.id}, 'owner')`);
  const channels = await database.rows<{ id: string }>(
    sql`insert into channels (group_id, name, type) select ${group!.id}, 'c' || g, 'TEXT' from generate_series(1, ${CHANNELS}) g returning id`,
  );
  return { caller: { id: user!.id, username: 'writer' } as Caller, channels: channels.map((c) => c.id) };
}

const fresh = await freshDatabase();
const database = openPostgres(fresh.url);
try {
  await migrate(database, fresh.url);
  const { caller, channels } = await seed(database);
  const batcher = createSendBatcher({ database, eventLog: createEventLog(database), notifier: { durable() {} } as never });

  async function run(inFlight: number, total: number) {
    let sent = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const db0 = postgresCpuMs();
    const worker = async (w: number) => {
      while (sent < total) {
        sent++;
        await batcher.send({ caller, channelId: channels[(w + sent) % CHANNELS]!, content: CONTENT });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      in_flight: inFlight,
      acked_per_s: Math.round(total / seconds),
      js_cpu_us_per_msg: +((cpu.user + cpu.system) / total).toFixed(1),
      db_cpu_us_per_msg: +(((postgresCpuMs() - db0) * 1000) / total).toFixed(1),
    };
  }

  await run(100, 2000); // warm-up: connections open, statements prepared
  for (const inFlight of [50, 500]) console.log(JSON.stringify(await run(inFlight, MESSAGES)));
} finally {
  await database.close();
  await fresh.drop();
}
