/**
 * Runs a local Parley cluster without a load balancer: N instances on consecutive ports, all
 * sharing one PostgreSQL database and one Redis. Point clients at any of them.
 *
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… bun run cluster --instances 3 [--port 3000]
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { instances: { type: 'string', default: '3' }, port: { type: 'string', default: '3000' } },
});
const count = Number(values.instances);
const base = Number(values.port);
if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  console.error('cluster: set DATABASE_URL (PostgreSQL) and REDIS_URL; instances share them');
  process.exit(2);
}
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(base)) {
  console.error('cluster: --instances and --port must be integers');
  process.exit(2);
}

const children = Array.from({ length: count }, (_, i) => {
  const port = base + i;
  const child = Bun.spawn([process.execPath, 'server/index.ts'], {
    env: { ...process.env, PORT: String(port) },
    stdout: 'pipe',
    stderr: 'inherit',
  });
  void (async () => {
    for await (const line of child.stdout.pipeThrough(new TextDecoderStream()))
      process.stdout.write(line.replace(/^(?=.)/gm, `[${port}] `));
  })();
  return child;
});
console.log(`cluster: ${count} instances on ports ${base}-${base + count - 1}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
  });
}
const codes = await Promise.all(children.map((c) => c.exited));
process.exit(codes.some((c) => c !== 0 && !stopping) ? 1 : 0);
