/**
 * Generates the API reference from the code that defines the API: every procedure of the router
 * (server/routers) with its input and output schema, every event of every subscription, the
 * entities, the error codes and the limits (shared/). Writes docs/api.md and one JSON Schema per
 * entity and event under docs/schema/.
 *
 *   bun scripts/docs-api.ts           regenerate
 *   bun scripts/docs-api.ts --check   exit 1 if the committed files are stale (CI, scripts/docs-api.test.ts)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import * as entities from '../shared/entities.ts';
import * as events from '../shared/events.ts';
import * as boards from '../shared/boards.ts';
import * as docs from '../shared/docs.ts';
import * as tasks from '../shared/tasks.ts';
import { LIMITS } from '../shared/limits.ts';
import { STREAM_EVENTS } from '../shared/streams.ts';
import { appRouter } from '../server/routers/index.ts';

const root = resolve(import.meta.dir, '..');
type Json = { [k: string]: any };

/** Procedures without an `.output()` schema (kept off hot paths), with the shared schema they return. */
const OUTPUTS_WITHOUT_SCHEMA: Record<string, z.ZodType> = { 'messages.send': entities.Message, 'messages.list': entities.MessagePage };

/** Error codes as the contract defines them. */
const ERRORS: [code: string, http: number, when: string][] = [
  ['BAD_REQUEST', 400, 'input failed its schema (`error.data.issues` lists `{ path, message }`), or text PostgreSQL cannot store'],
  ['UNAUTHORIZED', 401, 'no, bad or expired access token (the client refreshes and retries once)'],
  ['FORBIDDEN', 403, "visible, but the caller's role does not allow it"],
  ['NOT_FOUND', 404, 'absent, or not visible to the caller (a non-member learns nothing about a group, channel or DM)'],
  ['CONFLICT', 409, 'the state does not allow it (e.g. a username taken, an invite used up)'],
  ['PAYLOAD_TOO_LARGE', 413, 'a request body or frame over its limit'],
  ['TOO_MANY_REQUESTS', 429, 'rate limited; `error.data.retry_after_seconds` says when to retry'],
  ['INTERNAL_SERVER_ERROR', 500, 'a bug: logged on the server, reaches clients as "Internal server error" (never for bad input)'],
];

const isSchema = (v: unknown): v is z.ZodType => v instanceof z.ZodType;
const named = (mod: Record<string, unknown>) => Object.entries(mod).filter((e): e is [string, z.ZodType] => isSchema(e[1]));
/** Entities and events by name: they are documented once and referenced from procedures. */
/** The collaboration modules keep their entities, inputs and events side by side. */
const collab = [tasks, boards, docs].flatMap(named).filter(([n]) => !n.endsWith('Input'));
const ENTITIES = [...named(entities), ...collab.filter(([n]) => !n.includes('Event'))].filter(([n]) => !['Uuid', 'Timestamp'].includes(n));
const EVENTS = [...named(events), ...collab.filter(([n]) => n.includes('Event'))].filter(([n]) => n !== 'WebrtcType');

const registry = z.registry<{ id: string }>();
for (const [name, schema] of [...ENTITIES, ...EVENTS]) registry.add(schema, { id: name });

function jsonSchema(schema: z.ZodType, io: 'input' | 'output', refs = true): Json {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', ...(refs ? { metadata: registry } : {}) }) as Json;
}

const anchor = (name: string) => `#${name.toLowerCase()}`;

/** A JSON Schema as a one-line TypeScript-like type, linking named schemas. */
function typeOf(s: Json, defs: Json = {}): string {
  if (s.$ref) {
    const name = String(s.$ref).split('/').pop()!;
    if (name.startsWith('__schema')) return 'JSON';
    return defs[name]?.id || registryName(name) ? `[${name}](${anchor(name)})` : name;
  }
  if (s.id && typeof s.id === 'string' && registryName(s.id)) return `[${s.id}](${anchor(s.id)})`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v: unknown) => JSON.stringify(v)).join(' \\| ');
  const union = s.anyOf ?? s.oneOf;
  if (union) return union.map((u: Json) => typeOf(u, defs)).join(' \\| ');
  if (s.allOf) return s.allOf.map((u: Json) => typeOf(u, defs)).join(' & ');
  switch (s.type) {
    case 'string':
      return s.format === 'uuid' ? 'uuid' : s.format === 'date-time' ? 'timestamp' : 'string';
    case 'integer':
      return 'integer';
    case 'array':
      return `${typeOf(s.items ?? {}, defs)}[]`;
    case 'object': {
      const props = Object.entries<Json>(s.properties ?? {});
      if (!props.length) return 'object';
      const req = new Set<string>(s.required ?? []);
      return `{ ${props.map(([k, v]) => `${k}${req.has(k) ? '' : '?'}: ${typeOf(v, defs)}`).join(', ')} }`;
    }
    case undefined:
      return Object.keys(s).filter((k) => k !== '$schema').length ? 'JSON' : 'any JSON';
    default:
      return Array.isArray(s.type) ? s.type.join(' \\| ') : String(s.type);
  }
}
const registryName = (name: string) => [...ENTITIES, ...EVENTS].some(([n]) => n === name);

/** Length, range and pattern constraints of one field. */
function constraints(s: Json): string {
  const c: string[] = [];
  const range = (lo: unknown, hi: unknown, unit: string) => {
    // zod spells "any safe integer" as explicit bounds: not a constraint worth a column.
    if (lo === Number.MIN_SAFE_INTEGER) lo = undefined;
    if (hi === Number.MAX_SAFE_INTEGER) hi = undefined;
    if (lo !== undefined && hi !== undefined) c.push(`${lo}–${hi}${unit}`);
    else if (lo !== undefined) c.push(`≥ ${lo}${unit}`);
    else if (hi !== undefined) c.push(`≤ ${hi}${unit}`);
  };
  range(s.minLength, s.maxLength, ' chars');
  range(s.minimum, s.maximum, '');
  range(s.minItems, s.maxItems, ' items');
  if (s.pattern && s.format !== 'uuid' && s.format !== 'date-time') c.push(`pattern \`${s.pattern}\``);
  if (s.default !== undefined) c.push(`default ${JSON.stringify(s.default)}`);
  if (s.description) c.push(s.description);
  return c.join(', ');
}

/** A field table for an object schema, or a one-line type for anything else. */
function describe(s: Json, defs: Json): string[] {
  const obj = s.$ref ? null : s.anyOf?.find((u: Json) => u.type === 'object') && s.anyOf.length === 2 ? null : s;
  if (obj?.type === 'object' && obj.properties && Object.keys(obj.properties).length) {
    const req = new Set<string>(obj.required ?? []);
    return [
      '| field | type | required | constraints |',
      '| --- | --- | --- | --- |',
      ...Object.entries<Json>(obj.properties).map(
        ([k, v]) => `| \`${k}\` | ${typeOf(v, defs)} | ${req.has(k) ? 'yes' : 'no'} | ${constraints(v)} |`,
      ),
    ];
  }
  return [typeOf(s, defs)];
}

interface Procedure {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  input: z.ZodType | null;
  output: z.ZodType;
}

function procedures(): Procedure[] {
  const all = (appRouter as unknown as { _def: { procedures: Record<string, { _def: Json }> } })._def.procedures;
  return Object.entries(all).map(([path, p]) => {
    const def = p._def;
    const output =
      def.type === 'subscription' ? (STREAM_EVENTS as Record<string, z.ZodType>)[path] : (def.output ?? OUTPUTS_WITHOUT_SCHEMA[path]);
    if (!output) {
      throw new Error(
        def.type === 'subscription'
          ? `docs-api: subscription ${path} has no event schema: add it to STREAM_EVENTS in shared/streams.ts`
          : `docs-api: ${path} has no .output() schema: add one, or list it in OUTPUTS_WITHOUT_SCHEMA in scripts/docs-api.ts`,
      );
    }
    return { path, type: def.type, input: def.inputs[0] ?? null, output };
  });
}

function section(name: string, schema: z.ZodType, io: 'input' | 'output'): string[] {
  const js = jsonSchema(schema, io);
  const body = js.$ref ? (js.$defs?.[name] ?? js) : js;
  const union = body.anyOf ?? body.oneOf;
  const lines = [`### ${name}`, '', `Schema: [schema/${name}.json](schema/${name}.json)`, ''];
  if (union && union.every((u: Json) => u.$ref || u.properties?.type)) {
    lines.push('| type | fields |', '| --- | --- |');
    for (const u of union) {
      const member = u.$ref ? js.$defs[String(u.$ref).split('/').pop()!] : u;
      const { type, ...rest } = member.properties ?? {};
      const t = u.$ref ? `[${typeOf(type ?? {}, js.$defs)}](${anchor(String(u.$ref).split('/').pop()!)})` : typeOf(type ?? {}, js.$defs);
      lines.push(`| ${t} | ${typeOf({ ...member, properties: rest }, js.$defs)} |`);
    }
  } else lines.push(...describe(body, js.$defs ?? {}));
  return [...lines, ''];
}

/** docs/api.md and docs/schema/*.json, by path relative to the repository. */
export function generate(): Map<string, string> {
  const out = new Map<string, string>();
  const procs = procedures();
  const md: string[] = [
    '# Parley API reference',
    '',
    '<!-- Generated by `npm run docs:api` (scripts/docs-api.ts) from server/routers and shared/. Do not edit: CI fails when it is stale. -->',
    '',
    'Every procedure, input, output, event, error and limit, generated from the router and the zod',
    'schemas that validate them. The narrative contract (semantics, ordering, resume, authorization) is',
    '[CONTRACT.md](CONTRACT.md); JSON Schemas of every entity and event are in [schema/](schema/).',
    '',
    'Transport: tRPC v11 without a data transformer (plain JSON, snake_case fields). Queries and mutations',
    'over HTTP (`POST/GET /trpc/<procedure>`, batching on, `Authorization: Bearer <access_token>`) or the',
    'WebSocket; subscriptions over the WebSocket `GET /trpc` (authenticated with `connectionParams: { token }`).',
    'Durable events arrive tracked as `{ id, data }` (`id`: the stream sequence); pass `last_event_id` to resume.',
    'Types: `uuid` and `timestamp` (ISO-8601 UTC) are strings.',
    '',
    '## Procedures',
    '',
    '| procedure | kind | input | output |',
    '| --- | --- | --- | --- |',
  ];
  for (const p of procs) {
    const input = p.input ? typeOf(jsonSchema(p.input, 'input'), jsonSchema(p.input, 'input').$defs) : '—';
    const o = jsonSchema(p.output, 'output');
    const output = p.type === 'subscription' ? `events: ${typeOf(o, o.$defs)}` : typeOf(o, o.$defs);
    md.push(`| [\`${p.path}\`](#${p.path.replace('.', '').toLowerCase()}) | ${p.type} | ${input} | ${output} |`);
  }
  md.push('');
  let namespace = '';
  for (const p of procs) {
    const ns = p.path.split('.')[0]!;
    if (ns !== namespace) md.push(`### ${(namespace = ns)}`, '');
    md.push(`#### \`${p.path}\``, '', `${p.type}${p.type === 'subscription' ? ' (WebSocket)' : ''}`, '');
    if (p.input) {
      const js = jsonSchema(p.input, 'input');
      md.push('Input:', '', ...describe(js, js.$defs ?? {}), '');
    } else md.push('Input: none', '');
    const o = jsonSchema(p.output, 'output');
    md.push(p.type === 'subscription' ? `Events: ${typeOf(o, o.$defs)}` : `Output: ${typeOf(o, o.$defs)}`, '');
  }

  md.push('## Events', '', 'What each subscription yields, discriminated by `type`.', '');
  for (const [path, schema] of Object.entries(STREAM_EVENTS)) {
    const name = EVENTS.find(([, s]) => s === schema)![0];
    md.push(`- \`${path}\`: [${name}](${anchor(name)})`);
  }
  md.push('');
  for (const [name, schema] of EVENTS) md.push(...section(name, schema, 'output'));

  md.push('## Entities', '');
  for (const [name, schema] of ENTITIES) md.push(...section(name, schema, 'output'));

  md.push(
    '## Errors',
    '',
    'A failed call rejects with a tRPC error `{ message, code, data: { code, httpStatus, path, issues?, retry_after_seconds? } }`',
    '(`TRPCClientError` in `@parley/client`, with `err.data.code`).',
    '',
    '| code | HTTP | when |',
    '| --- | --- | --- |',
    ...ERRORS.map(([code, http, when]) => `| \`${code}\` | ${http} | ${when} |`),
    '',
    '## Limits',
    '',
    '`LIMITS` in `@parley/client` (and `shared/limits.ts`):',
    '',
    '| limit | value |',
    '| --- | --- |',
    ...Object.entries(LIMITS).map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
  );
  out.set('docs/api.md', md.join('\n'));

  for (const [name, schema] of [...ENTITIES, ...EVENTS]) {
    const js = { $id: `https://parley.dev/schema/${name}.json`, title: name, ...jsonSchema(schema, 'output', false) };
    out.set(`docs/schema/${name}.json`, `${JSON.stringify(js, null, 2)}\n`);
  }
  return out;
}

/** The files that differ from what would be generated (and stale schema files nobody generates). */
export function stale(files = generate()): string[] {
  const diff = [...files]
    .filter(([path, text]) => !existsSync(join(root, path)) || readFileSync(join(root, path), 'utf8') !== text)
    .map(([p]) => p);
  const dir = join(root, 'docs/schema');
  const extra = existsSync(dir)
    ? readdirSync(dir)
        .map((f) => `docs/schema/${f}`)
        .filter((p) => !files.has(p))
    : [];
  return [...diff, ...extra];
}

if (import.meta.main) {
  const files = generate();
  if (process.argv.includes('--check')) {
    const paths = stale(files);
    if (paths.length) {
      console.error(`docs-api: stale, run \`npm run docs:api\` and commit:\n  ${paths.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`docs-api: ${files.size} files up to date`);
  } else {
    for (const p of stale(files)) if (!files.has(p)) rmSync(join(root, p));
    mkdirSync(join(root, 'docs/schema'), { recursive: true });
    for (const [path, text] of files) writeFileSync(join(root, path), text);
    console.log(`docs-api: wrote ${files.size} files`);
  }
}
