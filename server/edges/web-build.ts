import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import type { WebAsset, WebSource } from './static.ts';

/** The repository root (this file is server/edges/web-build.ts). */
export const ROOT = join(import.meta.dir, '../..');
/** Where `npm run build` (and a first start without a build) puts the web app. */
export const WEB_DIST = join(ROOT, 'dist/web');
/** What the web app is built from: a change to any of these makes a build stale. */
const INPUTS = ['client', 'shared', 'package-lock.json'];
const STAMP = '.source-stamp';
const PRECOMPRESS = /\.(html|js|css|json|svg|txt|map)$/;

function* walk(path: string): Generator<string> {
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) return void (yield path);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'e2e' || entry.name.startsWith('.')) continue;
    yield* walk(join(path, entry.name));
  }
}

/** A fingerprint of the web app's sources (paths, sizes, modification times): cheap enough for every start. */
export function sourceStamp(root = ROOT): string {
  const hasher = new Bun.CryptoHasher('sha256');
  for (const input of INPUTS) {
    for (const file of walk(join(root, input))) {
      const s = statSync(file);
      hasher.update(`${relative(root, file)}\0${s.size}\0${s.mtimeMs}\n`);
    }
  }
  return hasher.digest('hex');
}

/** Bundles client/web (minified, production React) into `outdir` and writes .gz and .br beside each text file. */
export async function buildWebApp(outdir: string, root = ROOT): Promise<string[]> {
  const result = await Bun.build({
    entrypoints: [join(root, 'client/web/index.html')],
    outdir,
    target: 'browser',
    minify: true,
    // Code the app loads on demand (the client's opt-in event validation, with zod) stays in its own chunk.
    splitting: true,
    sourcemap: 'none',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  });
  if (!result.success) throw new AggregateError(result.logs, 'web app build failed');
  const files = result.outputs.map((o) => o.path);
  for (const file of files.filter((f) => PRECOMPRESS.test(f))) {
    const body = readFileSync(file);
    writeFileSync(`${file}.gz`, Bun.gzipSync(body, { level: 9 }));
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.byteLength } }),
    );
  }
  return files;
}

/**
 * Makes sure `dir` holds a build of the current sources, building it when missing or stale.
 * Builds go to a fresh directory renamed into place, so concurrent first starts never see half a build.
 */
export async function ensureWebBuild(dir = WEB_DIST, root = ROOT, force = false): Promise<{ built: boolean }> {
  const stamp = sourceStamp(root);
  const current = !force && existsSync(join(dir, STAMP)) && readFileSync(join(dir, STAMP), 'utf8') === stamp;
  if (current) return { built: false };
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await buildWebApp(tmp, root);
    writeFileSync(join(tmp, STAMP), stamp);
    const old = `${dir}.old-${process.pid}-${Date.now()}`;
    try {
      if (existsSync(dir)) renameSync(dir, old);
      renameSync(tmp, dir);
    } catch {
      // Another process swapped its build in at the same moment: that one is as good.
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { built: true };
}

/** Every file under `dir` as a WebAsset (paths relative to it). */
export function webAssetsIn(dir: string): WebAsset[] {
  return [...walk(dir)].map((file) => ({ path: relative(dir, file), file: Bun.file(file) }));
}

/** The web app from dist/web, built first when missing or stale (a fresh clone's first `npm start`). */
export function webFromDisk(dir = WEB_DIST, root = ROOT): WebSource {
  return async () => {
    await ensureWebBuild(dir, root);
    return webAssetsIn(dir);
  };
}
