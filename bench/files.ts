/**
 * File throughput on disk storage, each figure next to a raw baseline measured in the same run:
 *   - upload MB/s of large files through `files.upload` (stock tRPC httpLink, FormData) vs a raw
 *     `Bun.write` of the same bytes;
 *   - small-file uploads/s vs raw `Bun.write`s of the same small files;
 *   - download MB/s of a signed `/files/...` URL vs Bun serving the same file directly.
 *
 *   bun bench/files.ts [--large-mib 8] [--large 10] [--small 300] [--small-kib 4] [--downloads 20] [--concurrency 4]
 *
 * Server and client share this process and the machine's cores (as the raw baselines do), on the
 * embedded database. Prints a table and the ratios; writes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTestServer } from '../server/test/helpers/server.ts';
import { form, uploader } from '../server/test/files/support.ts';

const { values } = parseArgs({
  options: {
    'large-mib': { type: 'string', default: '8' },
    large: { type: 'string', default: '10' },
    small: { type: 'string', default: '300' },
    'small-kib': { type: 'string', default: '4' },
    downloads: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
  },
});
const LARGE = Number(values.large);
const LARGE_BYTES = Number(values['large-mib']) * 1024 * 1024;
const SMALL = Number(values.small);
const SMALL_BYTES = Number(values['small-kib']) * 1024;
const DOWNLOADS = Number(values.downloads);
const CONCURRENCY = Number(values.concurrency);

/** Distinct random bytes per file, so content addressing never short-cuts a write. */
const randomBytes = (n: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
};
/** Runs `task(i)` for i < n with at most `concurrency` at once; returns elapsed seconds. */
async function timed(n: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return (performance.now() - start) / 1000;
}
const mb = (bytes: number) => bytes / 1e6;

const server = await startTestServer({
  MAX_UPLOAD_BYTES: String(Math.max(LARGE_BYTES, SMALL_BYTES) + 1024),
  RATE_LIMIT_UPLOADS: 'off',
  UPLOAD_QUOTA_BYTES: String(2 ** 40),
  LOG_LEVEL: 'error',
});
const scratch = mkdtempSync(join(tmpdir(), 'parley-bench-files-'));
try {
  const user = await uploader(server.url, 'bench');
  const large = Array.from({ length: LARGE }, () => randomBytes(LARGE_BYTES));
  const small = Array.from({ length: SMALL }, () => randomBytes(SMALL_BYTES));

  const rawLarge = await timed(LARGE, CONCURRENCY, (i) => Bun.write(join(scratch, `large-${i}`), large[i]!));
  const parleyLarge = await timed(LARGE, CONCURRENCY, (i) => user.api.files.upload.mutate(form(large[i]!, `large-${i}.bin`)));
  const rawSmall = await timed(SMALL, CONCURRENCY, (i) => Bun.write(join(scratch, `small-${i}`), small[i]!));
  const parleySmall = await timed(SMALL, CONCURRENCY, (i) => user.api.files.upload.mutate(form(small[i]!, `small-${i}.bin`)));

  // Downloads: one large file, fetched DOWNLOADS times through Parley and from a bare Bun server.
  const file = await user.api.files.upload.mutate(form(large[0]!, 'download.bin'));
  const url = new URL(file.url!, server.url).href;
  const path = join(scratch, 'large-0');
  const bare = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response(Bun.file(path)) });
  const fetchAll = async (u: string) => {
    const res = await fetch(u);
    const n = (await res.arrayBuffer()).byteLength;
    if (n !== LARGE_BYTES) throw new Error(`short download from ${u}: ${n}`);
  };
  const rawDownload = await timed(DOWNLOADS, CONCURRENCY, () => fetchAll(`http://127.0.0.1:${bare.port}/`));
  const parleyDownload = await timed(DOWNLOADS, CONCURRENCY, () => fetchAll(url));
  void bare.stop(true);

  const rows = [
    [
      'upload, large',
      `${mb(LARGE * LARGE_BYTES) / parleyLarge} MB/s`,
      `${mb(LARGE * LARGE_BYTES) / rawLarge} MB/s`,
      rawLarge / parleyLarge,
    ],
    ['upload, small', `${SMALL / parleySmall} files/s`, `${SMALL / rawSmall} files/s`, rawSmall / parleySmall],
    [
      'download',
      `${mb(DOWNLOADS * LARGE_BYTES) / parleyDownload} MB/s`,
      `${mb(DOWNLOADS * LARGE_BYTES) / rawDownload} MB/s`,
      rawDownload / parleyDownload,
    ],
  ] as const;
  const fmt = (s: string) => s.replace(/^(\d+(\.\d+)?)/, (n) => Number(n).toFixed(1));
  console.log(
    `files bench: ${LARGE} × ${values['large-mib']} MiB, ${SMALL} × ${values['small-kib']} KiB, ${DOWNLOADS} downloads, concurrency ${CONCURRENCY}, Bun ${Bun.version}`,
  );
  console.log('| what | Parley | raw baseline | Parley / raw |\n| --- | --- | --- | --- |');
  for (const [what, parley, raw, ratio] of rows) console.log(`| ${what} | ${fmt(parley)} | ${fmt(raw)} | ${ratio.toFixed(2)} |`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await server.stop();
}
