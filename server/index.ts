import { startParley } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

/** Entry point: parse the environment, start, and drain cleanly on SIGTERM/SIGINT. */
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`parley: ${err.message}`);
    process.exit(2);
  }
  throw err;
}

const parley = await startParley(config);
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    parley.log.info('shutting down', { signal });
    await parley.stop();
    process.exit(0);
  });
}
