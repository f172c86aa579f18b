import { brotliCompressSync, constants as zlib } from 'node:zlib';

/** One file of the built web app: its path under the site root (`index.html`, `chunk-1a2b3c4d.js`, `….js.gz`) and its bytes. */
export interface WebAsset {
  path: string;
  file: Blob;
}

/** Where the built web app comes from: a directory on disk (built when missing) or the files embedded in the binary. */
export type WebSource = () => Promise<WebAsset[]>;

export interface StaticSiteOptions {
  /** STUN/TURN URLs handed to the web app (config ICE_SERVERS), injected into index.html. */
  iceServers: string[];
}

type Encoding = 'br' | 'gzip' | 'identity';

interface Variant {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

interface Entry {
  type: string;
  cacheControl: string;
  /** Whether other encodings exist, i.e. whether caches must key on Accept-Encoding. */
  varies: boolean;
  variants: Partial<Record<Encoding, Variant>>;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  svg: 'image/svg+xml',
  txt: 'text/plain; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  ico: 'image/x-icon',
  webp: 'image/webp',
  woff2: 'font/woff2',
  wasm: 'application/wasm',
};
const COMPRESSIBLE = new Set(['html', 'js', 'mjs', 'css', 'json', 'map', 'svg', 'txt', 'wasm']);
/** Bun names bundled chunks and assets `<name>-<8 base36 chars>.<ext>` after their content. */
const HASHED = /-[a-z0-9]{8}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/** Below this, compression costs more than it saves. */
const MIN_COMPRESS_BYTES = 256;

const extension = (path: string) => path.slice(path.lastIndexOf('.') + 1).toLowerCase();
const etagOf = (body: Uint8Array, suffix = '') => `"${Bun.hash.wyhash(body).toString(36)}${suffix}"`;

/** Makes `window.PARLEY_ICE_SERVERS` the configured servers, before the app's script runs. */
function injectIceServers(html: string, iceServers: string[]): string {
  if (iceServers.length === 0) return html; // leave the ?stun=/?turn= parameters in charge
  const json = JSON.stringify(iceServers.map((urls) => ({ urls }))).replace(/</g, '\\u003c');
  const script = `<script>window.PARLEY_ICE_SERVERS=${json}</script>`;
  const head = /<head[^>]*>/i.exec(html);
  return head ? html.replace(head[0], head[0] + script) : script + html;
}

/** The encodings a request accepts, best first (q=0 excludes; no header means identity only). */
export function acceptedEncodings(header: string | null): Encoding[] {
  const q = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name, qp ? Number(qp.slice(2)) || 0 : 1);
  }
  const ok = (name: string) => (q.get(name) ?? q.get('*') ?? 0) > 0;
  return [...(['br', 'gzip'] as const).filter(ok), 'identity'];
}

/** `If-None-Match` matches when it lists the variant's tag (weak comparison, RFC 9110 13.1.2) or `*`. */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

async function buildEntries(assets: WebAsset[], opts: StaticSiteOptions): Promise<Map<string, Entry>> {
  const byPath = new Map(assets.map((a) => [a.path, a.file]));
  const entries = new Map<string, Entry>();
  for (const [path, file] of byPath) {
    if (path.endsWith('.gz') || path.endsWith('.br')) continue;
    const ext = extension(path);
    let body: Uint8Array<ArrayBuffer> = new Uint8Array(await file.arrayBuffer());
    const modified = path === 'index.html' && opts.iceServers.length > 0;
    if (modified) body = new TextEncoder().encode(injectIceServers(new TextDecoder().decode(body), opts.iceServers));
    const variants: Entry['variants'] = { identity: { body, etag: etagOf(body) } };
    if (COMPRESSIBLE.has(ext) && body.byteLength >= MIN_COMPRESS_BYTES) {
      // Pre-compressed at build time (scripts/build.ts); otherwise compressed here, once.
      const pre = async (suffix: string) =>
        !modified && byPath.has(path + suffix) ? new Uint8Array(await byPath.get(path + suffix)!.arrayBuffer()) : null;
      const gzip = (await pre('.gz')) ?? Bun.gzipSync(body, { level: 9 });
      const br =
        (await pre('.br')) ??
        new Uint8Array(
          brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.byteLength } }),
        );
      const base = variants.identity!.etag.slice(0, -1);
      if (gzip.byteLength < body.byteLength) variants.gzip = { body: gzip, etag: `${base}-gz"` };
      if (br.byteLength < body.byteLength) variants.br = { body: br, etag: `${base}-br"` };
    }
    entries.set(path, {
      type: TYPES[ext] ?? 'application/octet-stream',
      cacheControl: HASHED.test(path) && path !== 'index.html' ? IMMUTABLE : REVALIDATE,
      varies: Object.keys(variants).length > 1,
      variants,
    });
  }
  if (!entries.has('index.html')) throw new Error('the web app build has no index.html');
  return entries;
}

/**
 * The web app's static files: pre-compressed variants chosen by Accept-Encoding, hashed files
 * cached for a year, index.html revalidated every time, ETag and 304 on If-None-Match.
 * Files are loaded (and built, for a source that builds) on `load()` or on the first request.
 */
export function createStaticSite(source: WebSource, opts: StaticSiteOptions) {
  let loading: Promise<Map<string, Entry>> | null = null;
  const load = () => (loading ??= source().then((assets) => buildEntries(assets, opts)));

  function respond(req: Request, entry: Entry): Response {
    const encoding = acceptedEncodings(req.headers.get('accept-encoding')).find((e) => entry.variants[e])!;
    const variant = entry.variants[encoding]!;
    const headers: Record<string, string> = { 'cache-control': entry.cacheControl, etag: variant.etag, 'content-type': entry.type };
    if (entry.varies) headers.vary = 'Accept-Encoding';
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    if (matches(req.headers.get('if-none-match'), variant.etag)) return new Response(null, { status: 304, headers });
    headers['content-length'] = String(variant.body.byteLength);
    return new Response(req.method === 'HEAD' ? null : variant.body, { headers });
  }

  return {
    /** Loads (building if needed) and prepares every file; start-up calls it so a broken build fails the start. */
    load: async () => void (await load()),
    /**
     * Answers a GET or HEAD for one of the app's files, or returns null (not ours: API routes,
     * other methods). Unknown single-segment files get null too, so the caller's 404 applies.
     */
    async handle(req: Request): Promise<Response | null> {
      if (req.method !== 'GET' && req.method !== 'HEAD') return null;
      const path = new URL(req.url).pathname;
      const name = path === '/' ? 'index.html' : path.slice(1);
      if (name.includes('/') || !name.includes('.')) return null;
      const entry = (await load()).get(name);
      return entry ? respond(req, entry) : null;
    },
  };
}

export type StaticSite = ReturnType<typeof createStaticSite>;
