import { tooManyRequests } from '../errors.ts';

/**
 * Argon2id hashing behind a small concurrency gate: each hash takes tens of milliseconds and
 * 64 MiB, so a flood of logins queues (and beyond the queue is refused) instead of exhausting
 * memory and starving every other request.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same time as a verify; used for unknown usernames so timing does not reveal them. */
  burn(password: string): Promise<void>;
}

export interface PasswordOptions {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes allowed to wait for a slot before further ones are refused. */
  maxQueue: number;
  /** Argon2 memory in KiB and iterations; defaults follow OWASP's argon2id guidance. */
  memoryCost?: number;
  timeCost?: number;
}

export function createPasswordHasher(opts: PasswordOptions): PasswordHasher {
  const params = { algorithm: 'argon2id' as const, memoryCost: opts.memoryCost ?? 19_456, timeCost: opts.timeCost ?? 2 };
  let running = 0;
  const waiting: Array<() => void> = [];

  async function gated<T>(work: () => Promise<T>): Promise<T> {
    if (running >= opts.concurrency) {
      if (waiting.length >= opts.maxQueue) throw tooManyRequests('Server busy, try again shortly', 1);
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running++;
    }
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  let dummyHash: Promise<string> | null = null;
  return {
    hash: (password) => gated(() => Bun.password.hash(password, params)),
    verify: (password, hash) => gated(() => Bun.password.verify(password, hash)),
    async burn(password) {
      dummyHash ??= Bun.password.hash('parley-timing-equalizer', params);
      const hash = await dummyHash;
      await gated(() => Bun.password.verify(password, hash));
    },
  };
}
