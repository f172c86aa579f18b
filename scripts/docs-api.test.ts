import { expect, test } from 'bun:test';
import { generate, stale } from './docs-api.ts';

/** docs/api.md and docs/schema/ are generated from the router and the schemas: they must not drift. */
test('the committed API reference and JSON Schemas match the code (else: npm run docs:api)', () => {
  const files = generate();
  expect(files.get('docs/api.md')).toContain('#### `messages.send`');
  expect(stale(files)).toEqual([]);
});

test('every procedure and every entity and event is in the reference', () => {
  const api = generate().get('docs/api.md')!;
  for (const path of [
    'auth.register',
    'groups.createInvite',
    'messages.list',
    'dms.conversations',
    'realtime.channel',
    'realtime.signal',
  ]) {
    expect(api).toContain(`#### \`${path}\``);
  }
  for (const name of ['Session', 'Message', 'ChannelEvent', 'DmEvent', 'MeEvent', 'ResyncRequiredEvent'])
    expect(api).toContain(`### ${name}\n`);
  for (const limit of ['contentMax', 'historyPageMax', 'resumeMaxEvents']) expect(api).toContain(`| \`${limit}\` |`);
  for (const code of ['UNAUTHORIZED', 'NOT_FOUND', 'FORBIDDEN', 'BAD_REQUEST', 'TOO_MANY_REQUESTS'])
    expect(api).toContain(`| \`${code}\` |`);
});
