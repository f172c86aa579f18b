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

const split = process.argv.indexOf('--');
const ownArgs = split === -1 ? process.argv.slice(2) : process.argv.slice(2, split);
const command = split === -1 ? [] : process.argv.slice(split + 1);
const { values } = parseArgs({
  args: ownArgs,
  options: {
    'database-url': { type: 'string' },
    'redis-url': { type: 'string' },
    'rate-limit-messages': { type: 'string' },
    port: { type: 'string' },
    'log-level': { type: 'string' },
  },
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
