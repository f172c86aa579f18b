// A throwaway PostgreSQL database per Parley run, so every run starts from the same empty state.
const PG = { host: process.env.BENCH_PG_HOST ?? '127.0.0.1', user: process.env.BENCH_PG_USER ?? 'root' };

async function psql(sql: string): Promise<{ ok: boolean; out: string }> {
  const p = Bun.spawn(['psql', '-h', PG.host, '-U', PG.user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const out = (await new Response(p.stdout).text()) + (await new Response(p.stderr).text());
  return { ok: (await p.exited) === 0, out };
}

/** True if a PostgreSQL server is reachable with the bench credentials. */
export async function postgresAvailable(): Promise<boolean> {
  try {
    return (await psql('select 1')).ok;
  } catch {
    return false;
  }
}

/** Creates a fresh database and returns its URL plus a disposer that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_bench_${Date.now().toString(36)}`;
  const r = await psql(`create database ${name}`);
  if (!r.ok) throw new Error(`createdb ${name}: ${r.out}`);
  return {
    url: `postgres://${PG.user}@${PG.host}:5432/${name}`,
    async drop() {
      await psql(`drop database if exists ${name} with (force)`);
    },
  };
}
