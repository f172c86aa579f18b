import { startParley, type Parley } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import type { WebSource } from './edges/static.ts';
import { startupFailureLine } from './startup/failures.ts';

/**
 * The process around the server, shared by `bun server/index.ts` and the compiled binary (which
 * differ only in where the web app comes from): parse the environment, start, and drain cleanly
 * on SIGTERM/SIGINT. Every failure to start is one line on stderr and a non-zero exit.
 */
export async function main(web: WebSource): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`parley: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }

  let parley: Parley | null = null;
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, async () => {
      // Still starting (connecting, migrating): nothing to drain yet.
      if (!parley) process.exit(signal === 'SIGINT' ? 130 : 143);
      if (stopping) return;
      stopping = true;
      parley.log.info('shutting down', { signal });
      await parley.stop();
      process.exit(0);
    });
  }

  try {
    parley = await startParley(config, { web });
  } catch (err) {
    console.error(`parley: ${startupFailureLine(err)}`);
    if (config.logLevel === 'debug') console.debug(err);
    process.exit(1);
  }
}
