import { createServer } from 'node:net';
import { portFailure } from './failures.ts';

/**
 * Fails the start at once when another process holds the port, before minutes of opening and
 * migrating a database. Bun.serve's own refusal (reusePort off) still guards the race after this.
 */
export function ensurePortFree(port: number, host: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(portFailure(err, port, host) ?? err));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
