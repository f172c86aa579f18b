/**
 * The web app's size as the server ships it: Bun bundles `client/web/index.html` (an HTML import)
 * on first request; this fetches the page and every script and stylesheet it links, and prints
 * their raw and gzipped sizes.
 *
 *   npx bun client/web/scripts/bundle-size.ts
 */
import { startTestServer } from '../../../server/test/helpers/server.ts';

export async function measureBundle(url: string) {
  const html = await (await fetch(url)).text();
  const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => new URL(m[1]!, url).href);
  const sizes = await Promise.all(
    assets.map(async (href) => {
      const body = new Uint8Array(await (await fetch(href)).arrayBuffer());
      return { asset: new URL(href).pathname, bytes: body.length, gzip: Bun.gzipSync(body).length };
    }),
  );
  return { assets: sizes, gzip: sizes.reduce((n, s) => n + s.gzip, 0), bytes: sizes.reduce((n, s) => n + s.bytes, 0) };
}

if (import.meta.main) {
  const server = await startTestServer();
  try {
    const r = await measureBundle(server.url + '/');
    for (const a of r.assets) console.log(`${a.asset}  ${(a.bytes / 1024).toFixed(1)} KiB, gzip ${(a.gzip / 1024).toFixed(1)} KiB`);
    console.log(`total ${(r.bytes / 1024).toFixed(1)} KiB, gzip ${(r.gzip / 1024).toFixed(1)} KiB`);
  } finally {
    await server.stop();
  }
}
