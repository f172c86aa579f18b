import { webFromDisk } from './edges/web-build.ts';
import { main } from './main.ts';

/** `bun server/index.ts`: the web app comes from dist/web, built there first when missing or stale. */
await main(webFromDisk());
