import { afterAll, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startParley, type Parley } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { expectCode, httpClient } from '../helpers/fixtures.ts';

/**
 * The embedded default: no DATABASE_URL and no JWT_SECRET, a real DATA_DIR on disk. This never
 * depends on the DATABASE_URL the rest of the suite may run with: the environment passed to
 * loadConfig is explicit.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'parley-persist-'));
const running: Parley[] = [];
afterAll(async () => {
  for (const p of running) await p.stop().catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

async function start(): Promise<Parley> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', SHUTDOWN_GRACE_SECONDS: '0' });
  expect(config.databaseUrl).toBeNull();
  expect(config.jwtSecret).toBeNull();
  const parley = await startParley(config);
  running.push(parley);
  return parley;
}

async function stop(parley: Parley) {
  await parley.stop();
  running.splice(running.indexOf(parley), 1);
}

test('users, groups, channels, sessions and the generated JWT secret survive a restart', async () => {
  const first = await start();
  expect(first.database.kind).toBe('pglite');
  const anon = httpClient(first.url);
  const session = await anon.auth.register.mutate({ username: 'persistent', password: 'correct horse battery', display_name: 'Pat' });
  const alice = httpClient(first.url, session.access_token);
  const group = await alice.groups.create.mutate({ name: 'kept', description: 'across restarts' });
  const channel = await alice.channels.create.mutate({ group_id: group.id, name: 'general', type: 'VOICE', topic: 'still here' });
  const invite = await alice.groups.createInvite.mutate({ group_id: group.id, max_uses: 3 });
  await stop(first);

  // The secret was generated under DATA_DIR, readable by its owner only.
  const secretFile = join(dataDir, 'jwt-secret');
  expect(existsSync(secretFile)).toBe(true);
  expect(statSync(secretFile).mode & 0o777).toBe(0o600);
  expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);

  const second = await start();
  // An access token issued before the restart still verifies: the secret was reused, not regenerated.
  const before = httpClient(second.url, session.access_token);
  expect(await before.auth.me.query()).toEqual(session.user);
  expect(await before.groups.list.query()).toEqual([expect.objectContaining({ ...group, my_role: 'owner' })]);
  expect(await before.channels.get.query({ channel_id: channel.id })).toEqual(channel);

  const anon2 = httpClient(second.url);
  const login = await anon2.auth.login.mutate({ username: 'PERSISTENT', password: 'correct horse battery' });
  expect(login.user).toEqual(session.user);
  await expectCode(anon2.auth.login.mutate({ username: 'persistent', password: 'wrong password' }), 'UNAUTHORIZED');
  // The refresh token from before the restart rotates normally.
  const refreshed = await anon2.auth.refresh.mutate({ refresh_token: session.refresh_token });
  expect(refreshed.user.id).toBe(session.user.id);
  // Uniqueness and invites persisted too.
  await expectCode(anon2.auth.register.mutate({ username: 'Persistent', password: 'another password' }), 'CONFLICT');
  const bob = await anon2.auth.register.mutate({ username: 'bob_after_restart', password: 'correct horse battery' });
  expect(await httpClient(second.url, bob.access_token).groups.join.mutate({ code: invite.code })).toEqual({ ...group, my_role: 'member' });
  await stop(second);
}, 120_000);
