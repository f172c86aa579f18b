#!/usr/bin/env bun
/**
 * Parley as a fixture for any test runner: starts an isolated server (see ./index.ts) on a free
 * port and prints its URL as the first line of stdout (logs go to stderr).
 *
 *   bun server/testing/cli.ts [options]                 prints the URL, runs until SIGTERM or SIGINT
 *   bun server/testing/cli.ts [options] -- <command>    runs <command> with PARLEY_URL set, stops, exits with its code
 *
 * Options: --database-url <postgres://…> (a fresh database in it; default embedded),
 *          --redis-url <redis://…>, --rate-limit-messages <20/10s|off> (default off), --port <n> (default 0),
 *          --log-level <debug|info|warn|error|silent> (default error)
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { LogLevel } from '../config.ts';
import { startParley } from './index.ts';

const OPTIONS = ['database-url', 'redis-url', 'rate-limit-messages', 'port', 'log-level'] as const;
/** Our options come first; the command starts after `--` or at the first word that is not one (Bun may drop the `--`). */
function splitArgs(args: string[]): { own: string[]; command: string[] } {
  let i = 0;
  while (i < args.length) {
    const arg = args[i]!;
    if (arg === '--') return { own: args.slice(0, i), command: args.slice(i + 1) };
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : null;
    if (!name || !(OPTIONS as readonly string[]).includes(name)) break;
    i += arg.includes('=') ? 1 : 2;
  }
  return { own: args.slice(0, i), command: args.slice(i) };
}
const { own: ownArgs, command } = splitArgs(process.argv.slice(2));
const { values } = parseArgs({
  args: ownArgs,
  options: Object.fromEntries(OPTIONS.map((o) => [o, { type: 'string' as const }])) as Record<(typeof OPTIONS)[number], { type: 'string' }>,
});

const parley = await startParley({
  databaseUrl: values['database-url'] ?? null,
  redisUrl: values['redis-url'] ?? null,
  ...(values['rate-limit-messages'] ? { rateLimitMessages: values['rate-limit-messages'] } : {}),
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values['log-level'] ? { logLevel: values['log-level'] as LogLevel } : {}),
});

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await parley.stop();
  }
  process.exit(code);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(0));

if (command.length) {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env: { ...process.env, PARLEY_URL: parley.url } });
  child.on('exit', (code, signal) => void stop(code ?? (signal ? 1 : 0)));
} else {
  console.log(parley.url);
}
