import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startParley, type ParleyFixture } from '../server/testing/index.ts';

/**
 * The client package as a user gets it: packed with `npm pack`, installed from the tarball into a
 * temporary project, type-checked under a frontend's and a Node project's settings, bundled for
 * the browser, and run by plain `node` against a running Parley (client/consumer/ holds the
 * user's files). The report lines (`consumer: ...`) carry the measured figures.
 *
 * It checks the package, not the database, so it runs once, in the embedded pass of the suite.
 */

const root = resolve(import.meta.dir, '..');
/** Packages a frontend must never get from installing the client. */
const SERVER_PACKAGES = [
  '@electric-sql/pglite',
  'drizzle-orm',
  'ioredis',
  'postgres',
  'react',
  'react-dom',
  'jose',
  'prom-client',
  'bun',
  'socket.io',
];
const TYPESCRIPT_5 = '5.9.3';
const version = (pkg: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

type Json = Record<string, any>;
let dir: string;
const report = (line: string) => console.log(`consumer: ${line}`);

function run(cmd: string, args: string[], opts: { cwd?: string; ok?: boolean; timeout?: number } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? dir,
    encoding: 'utf8',
    timeout: opts.timeout ?? 240_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if ((opts.ok ?? true) && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${out}`);
  return { status: r.status, out, stdout: r.stdout ?? '' };
}
/** Runs without blocking the event loop: the Parley under test serves from this very process. */
async function runAsync(cmd: string[], timeoutMs: number) {
  const child = Bun.spawn(cmd, { cwd: dir, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, NO_COLOR: '1' } });
  const timer = setTimeout(() => child.kill(), timeoutMs);
  const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  return { status, out: stdout + stderr };
}
const tsc5 = (project: string) => run('node', [join(dir, 'node_modules/typescript/bin/tsc'), '-p', project], { ok: false });
const tsc7 = (project: string) => run(join(root, 'node_modules/.bin/tsc'), ['-p', project], { ok: false });
const errorCount = (out: string) => (out.match(/error TS\d+/g) ?? []).length;

const skip = !!process.env.DATABASE_URL;
describe.skipIf(skip)('@parley/client from its tarball', () => {
  let tarball: { files: { path: string }[]; filename: string; size: number; unpackedSize: number };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-consumer-'));
    cpSync(join(root, 'client/consumer'), dir, { recursive: true });
    // `npm pack` builds the package first (its prepack script).
    const packed = run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(root, 'client') });
    tarball = (JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as (typeof tarball)[])[0]!;
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        private: true,
        type: 'module',
        dependencies: { '@parley/client': `file:./${tarball.filename}`, ws: version('ws') },
        devDependencies: { typescript: TYPESCRIPT_5, '@types/ws': version('@types/ws'), '@types/node': version('@types/node') },
      }),
    );
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error']);
  }, 300_000);
  afterAll(() => void (dir && rmSync(dir, { recursive: true, force: true })), 60_000);

  test('the tarball holds the build and nothing else', () => {
    const paths = tarball.files.map((f) => f.path);
    report(
      `tarball ${tarball.filename}: ${paths.length} files, ${(tarball.size / 1024).toFixed(1)} KB packed, ${(tarball.unpackedSize / 1024).toFixed(1)} KB unpacked`,
    );
    expect(paths).toContain('dist/client/index.js');
    expect(paths).toContain('dist/client/index.d.ts');
    expect(paths).toContain('dist/client/router.d.ts');
    expect(
      paths.filter((p) => p !== 'package.json' && p !== 'README.md' && !p.startsWith('dist/client/') && !p.startsWith('dist/shared/')),
    ).toEqual([]);
    expect(paths.filter((p) => /bench|test|\.ci|server|web\//.test(p))).toEqual([]);
  });

  test('installing it pulls no server dependency', () => {
    // The package's own closure: its dependencies and required peers, transitively.
    const closure = new Set<string>();
    const visit = (name: string) => {
      if (closure.has(name)) return;
      closure.add(name);
      const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as Json;
      const optional = new Set(Object.entries<Json>(pkg.peerDependenciesMeta ?? {}).flatMap(([n, m]) => (m.optional ? [n] : [])));
      for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})])
        if (!optional.has(dep)) visit(dep);
    };
    visit('@parley/client');
    const kb = [...closure].reduce((n, p) => n + Number(run('du', ['-sk', join('node_modules', p)]).out.split('\t')[0]), 0);
    report(
      `installing @parley/client brings ${closure.size - 1} packages: ${[...closure].slice(1).join(', ')} (${(kb / 1024).toFixed(1)} MB with the package)`,
    );
    expect([...closure].filter((p) => SERVER_PACKAGES.includes(p))).toEqual([]);
    const installed = readdirSync(join(dir, 'node_modules')).flatMap((d) =>
      d.startsWith('@') ? readdirSync(join(dir, 'node_modules', d)).map((s) => `${d}/${s}`) : d.startsWith('.') ? [] : [d],
    );
    expect(installed.filter((p) => SERVER_PACKAGES.includes(p))).toEqual([]);
  }, 30_000);

  test('no declaration names a server file or a TypeScript source', () => {
    for (const f of tarball.files.filter((f) => f.path.endsWith('.d.ts'))) {
      const text = readFileSync(join(dir, 'node_modules/@parley/client', f.path), 'utf8');
      expect(text).not.toMatch(/["'](\.\.?\/)+server\//);
      expect(text).not.toMatch(/\.tsx?["']/);
    }
  });

  test('a frontend type-checks with Vite defaults, exactOptionalPropertyTypes and without skipLibCheck (TypeScript 5 and 7)', () => {
    for (const project of ['tsconfig.vite.json', 'tsconfig.strict.json', 'tsconfig.libcheck.json']) {
      for (const [name, tsc] of [
        [`tsc ${TYPESCRIPT_5}`, tsc5],
        [`tsc ${version('typescript')}`, tsc7],
      ] as const) {
        const r = tsc(project);
        report(`${name} -p ${project}: ${errorCount(r.out)} errors`);
        expect(r.out).toBe('');
        expect(r.status).toBe(0);
      }
    }
  }, 240_000);

  test('and fails on each deliberate mistake', () => {
    const r = tsc5('tsconfig.wrong.json');
    report(
      `tsc ${TYPESCRIPT_5} -p tsconfig.wrong.json: exit ${r.status}, ${errorCount(r.out)} errors:\n${r.out.trim().replace(/^/gm, '    ')}`,
    );
    expect(r.status).not.toBe(0);
    const lines = readFileSync(join(dir, 'src/wrong.ts'), 'utf8').split('\n');
    const wrong = lines.flatMap((l, i) => (l.includes('// WRONG') ? [i + 1] : []));
    const errorLines = [...new Set([...r.out.matchAll(/src\/wrong\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])))];
    expect(errorLines.sort((a, b) => a - b)).toEqual(wrong);
  }, 60_000);

  test('a browser bundle stays within 15 KB gzipped of a bare @trpc/client with the same links', async () => {
    const size = async (entry: string) => {
      const out = join(dir, 'bundle', entry);
      const result = await Bun.build({
        entrypoints: [join(dir, 'src', `${entry}.ts`)],
        outdir: out,
        target: 'browser',
        format: 'esm',
        minify: true,
        splitting: true,
      });
      expect(result.success).toBe(true);
      const code = (f: string) => readFileSync(join(out, f));
      const main = code(`${entry}.js`);
      // Chunks the entry imports statically load with it; dynamically imported ones only when asked.
      const lazy = readdirSync(out).filter((f) => f !== `${entry}.js`);
      const staticChunks = lazy.filter((f) => main.toString().match(new RegExp(`from"\\./${f.replace('.', '\\.')}"`)));
      const initial = [main, ...staticChunks.map(code)];
      const bytes = initial.reduce((n, b) => n + b.length, 0);
      const gz = initial.reduce((n, b) => n + gzipSync(b).length, 0);
      const lazyGz = lazy.filter((f) => !staticChunks.includes(f)).reduce((n, f) => n + gzipSync(code(f)).length, 0);
      const text = initial.map((b) => b.toString()).join('\n');
      return { bytes, gz, lazyGz, text };
    };
    const parley = await size('browser');
    const bare = await size('bare');
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    report(
      `bundle (bun build --minify, browser): bare @trpc/client ${kb(bare.bytes)} / ${kb(bare.gz)} gzipped; @parley/client ${kb(parley.bytes)} / ${kb(parley.gz)} gzipped (+${kb(parley.gz - bare.gz)}); validateEvents chunk, loaded on demand: ${kb(parley.lazyGz)} gzipped`,
    );
    expect(parley.gz - bare.gz).toBeLessThanOrEqual(15 * 1024);
    for (const marker of ['drizzle', 'pglite', 'ioredis', 'Bun.serve', 'createServices', 'node:'])
      expect(parley.text).not.toContain(marker);
  }, 120_000);

  describe('plain node against a running Parley', () => {
    let parley: ParleyFixture;
    beforeAll(async () => {
      parley = await startParley();
    }, 180_000);
    afterAll(() => parley?.stop(), 30_000);

    test('type-checks under nodenext, then registers, subscribes, sends and receives', async () => {
      const compiled = tsc5('tsconfig.node.json');
      report(`tsc ${TYPESCRIPT_5} -p tsconfig.node.json (nodenext): ${errorCount(compiled.out)} errors`);
      expect(compiled.out).toBe('');
      expect(existsSync(join(dir, 'out/node-client.js'))).toBe(true);
      const nodeVersion = run('node', ['--version']).out.trim();
      const r = await runAsync(['node', 'out/node-client.js', parley.url], 60_000);
      report(`node ${nodeVersion} out/node-client.js: exit ${r.status}\n${r.out.trim().replace(/^/gm, '    ')}`);
      expect(r.status).toBe(0);
      expect(r.out).toContain('registered node_');
      expect(r.out).toContain('received "Hello from Node" at seq ');
    }, 90_000);
  });
});
