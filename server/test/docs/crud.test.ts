import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { wsClient } from '../helpers/clients.ts';
import {
  createGroupFixture,
  expectBadInput,
  expectCode,
  registerCast,
  unknownId,
  type Cast,
  type GroupFixture,
} from '../helpers/fixtures.ts';
import { follow } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

setDefaultTimeout(30_000);

let server: TestServer;
let cast: Cast;
let fx: GroupFixture;
beforeAll(async () => {
  server = await startTestServer();
  cast = await registerCast(server.url);
  fx = await createGroupFixture(cast, 'docs');
}, 180_000);
afterAll(() => server?.stop(), 30_000);

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe('create, list, get, rename', () => {
  test('a member creates a document with initial content; every member reads it', async () => {
    const doc = await cast.member.client.docs.create.mutate({ group_id: fx.group.id, title: '  Minutes ', content: 'line one\nline two' });
    expect(doc).toEqual({
      id: expect.any(String),
      group_id: fx.group.id,
      title: 'Minutes',
      created_by: cast.member.id,
      created_at: iso,
      updated_at: iso,
    });
    for (const who of [cast.owner, cast.admin, cast.other]) {
      expect(await who.client.docs.get.query({ document_id: doc.id })).toEqual({ ...doc, content: 'line one\nline two' });
    }
    const empty = await cast.owner.client.docs.create.mutate({ group_id: fx.group.id, title: 'Empty' });
    expect((await cast.member.client.docs.get.query({ document_id: empty.id })).content).toBe('');
  });

  test('list is most recently updated first; an edit moves a document to the top', async () => {
    const group = await cast.owner.client.groups.create.mutate({ name: 'ordering' });
    const a = await cast.owner.client.docs.create.mutate({ group_id: group.id, title: 'a' });
    const b = await cast.owner.client.docs.create.mutate({ group_id: group.id, title: 'b' });
    expect((await cast.owner.client.docs.list.query({ group_id: group.id })).map((d) => d.id)).toEqual([b.id, a.id]);
    await cast.owner.client.docs.setContent.mutate({ document_id: a.id, content: 'edited' });
    const listed = await cast.owner.client.docs.list.query({ group_id: group.id });
    expect(listed.map((d) => d.id)).toEqual([a.id, b.id]);
    expect(listed[0]!.updated_at > a.updated_at).toBe(true);
  });

  test('rename by any member; setContent replaces the text', async () => {
    const doc = await cast.owner.client.docs.create.mutate({ group_id: fx.group.id, title: 'Draft', content: 'abc' });
    const renamed = await cast.other.client.docs.rename.mutate({ document_id: doc.id, title: 'Final' });
    expect(renamed).toMatchObject({ id: doc.id, title: 'Final', created_by: cast.owner.id });
    const set = await cast.member.client.docs.setContent.mutate({ document_id: doc.id, content: 'xbcy ✓ 😀' });
    expect(set).toMatchObject({ id: doc.id, title: 'Final', content: 'xbcy ✓ 😀' });
    expect((await cast.owner.client.docs.get.query({ document_id: doc.id })).content).toBe('xbcy ✓ 😀');
    expect((await cast.owner.client.docs.setContent.mutate({ document_id: doc.id, content: '' })).content).toBe('');
  });

  test('members get doc_created and doc_deleted on realtime.me', async () => {
    const ws = wsClient(server.url, cast.other.token);
    try {
      const me = follow(ws.api.realtime.me, {});
      await me.started;
      const doc = await cast.member.client.docs.create.mutate({ group_id: fx.group.id, title: 'announced' });
      expect(await me.events.first((e) => e.type === 'doc_created')).toMatchObject({ type: 'doc_created', document: doc });
      await cast.member.client.docs.delete.mutate({ document_id: doc.id });
      expect(await me.events.first((e) => e.type === 'doc_deleted')).toMatchObject({
        type: 'doc_deleted',
        document_id: doc.id,
        group_id: fx.group.id,
      });
    } finally {
      ws.close();
    }
  });
});

describe('authorization matrix', () => {
  test('an outsider learns nothing: NOT_FOUND for every procedure', async () => {
    const doc = await cast.member.client.docs.create.mutate({ group_id: fx.group.id, title: 'private' });
    const c = cast.outsider.client.docs;
    await expectCode(c.create.mutate({ group_id: fx.group.id, title: 'x' }), 'NOT_FOUND');
    await expectCode(c.list.query({ group_id: fx.group.id }), 'NOT_FOUND');
    await expectCode(c.get.query({ document_id: doc.id }), 'NOT_FOUND');
    await expectCode(c.rename.mutate({ document_id: doc.id, title: 'x' }), 'NOT_FOUND');
    await expectCode(c.setContent.mutate({ document_id: doc.id, content: 'x' }), 'NOT_FOUND');
    await expectCode(c.delete.mutate({ document_id: doc.id }), 'NOT_FOUND');
    await expectCode(c.push.mutate({ document_id: doc.id, update: 'AAA=' }), 'NOT_FOUND');
    await expectCode(c.awareness.mutate({ document_id: doc.id, update: 'AA==' }), 'NOT_FOUND');
    expect((await cast.member.client.docs.get.query({ document_id: doc.id })).content).toBe('');
  });

  test('unknown ids are NOT_FOUND; no token is UNAUTHORIZED', async () => {
    const c = cast.member.client.docs;
    await expectCode(c.get.query({ document_id: unknownId() }), 'NOT_FOUND');
    await expectCode(c.create.mutate({ group_id: unknownId(), title: 'x' }), 'NOT_FOUND');
    const { httpClient } = await import('../helpers/clients.ts');
    await expectCode(httpClient(server.url).docs.list.query({ group_id: fx.group.id }), 'UNAUTHORIZED');
  });

  test('delete: the creator, an admin or the owner; another member is FORBIDDEN', async () => {
    const make = () => cast.member.client.docs.create.mutate({ group_id: fx.group.id, title: 'deletable' });
    const d1 = await make();
    const refused = await expectCode(cast.other.client.docs.delete.mutate({ document_id: d1.id }), 'FORBIDDEN');
    expect(refused.httpStatus).toBe(403);
    expect((await cast.member.client.docs.get.query({ document_id: d1.id })).id).toBe(d1.id);
    expect(await cast.member.client.docs.delete.mutate({ document_id: d1.id })).toEqual({ ok: true });
    await expectCode(cast.member.client.docs.get.query({ document_id: d1.id }), 'NOT_FOUND');
    for (const who of [cast.admin, cast.owner]) {
      const d = await make();
      expect(await who.client.docs.delete.mutate({ document_id: d.id })).toEqual({ ok: true });
      await expectCode(who.client.docs.get.query({ document_id: d.id }), 'NOT_FOUND');
    }
  });

  test('a removed member loses access at once', async () => {
    const group = await cast.owner.client.groups.create.mutate({ name: 'leaving' });
    await cast.owner.client.groups.addMember.mutate({ group_id: group.id, user_id: cast.newcomer.id });
    const doc = await cast.newcomer.client.docs.create.mutate({ group_id: group.id, title: 'mine' });
    await cast.owner.client.groups.removeMember.mutate({ group_id: group.id, user_id: cast.newcomer.id });
    await expectCode(cast.newcomer.client.docs.get.query({ document_id: doc.id }), 'NOT_FOUND');
    // The document stays with the group.
    expect((await cast.owner.client.docs.get.query({ document_id: doc.id })).title).toBe('mine');
  });
});

describe('bad input', () => {
  test('schema failures are BAD_REQUEST with issues, never INTERNAL_SERVER_ERROR', async () => {
    const c = cast.member.client.docs;
    await expectBadInput(c.create.mutate({ group_id: fx.group.id, title: '   ' }), ['title']);
    await expectBadInput(c.create.mutate({ group_id: 'nope', title: 'x' }), ['group_id']);
    await expectBadInput(c.create.mutate({ group_id: fx.group.id, title: 'x', content: 'a\u0000b' }), ['content']);
    await expectBadInput(c.get.query({ document_id: 'nope' }), ['document_id']);
    await expectBadInput(c.rename.mutate({ document_id: unknownId(), title: 'x'.repeat(101) }), ['title']);
    await expectBadInput(c.push.mutate({ document_id: unknownId(), update: 'not base64!' }), ['update']);
    await expectBadInput(c.setContent.mutate({ document_id: unknownId(), content: 'a\u0000' }), ['content']);
  });

  test('lone surrogates in content are BAD_REQUEST', async () => {
    const doc = await cast.member.client.docs.create.mutate({ group_id: fx.group.id, title: 'text' });
    const err = await expectCode(cast.member.client.docs.setContent.mutate({ document_id: doc.id, content: 'a\ud800b' }), 'BAD_REQUEST');
    expect(err.httpStatus).toBe(400);
    expect((await cast.member.client.docs.get.query({ document_id: doc.id })).content).toBe('');
  });
});
