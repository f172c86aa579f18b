/**
 * Collects what a subscription yields and lets a test wait for a condition with a timeout,
 * instead of sleeping for a fixed time.
 */
export class Collector<T> {
  readonly items: T[] = [];
  errors: unknown[] = [];
  private waiters = new Set<() => void>();

  push = (item: T) => {
    this.items.push(item);
    for (const w of [...this.waiters]) w();
  };

  fail = (err: unknown) => {
    this.errors.push(err);
    for (const w of [...this.waiters]) w();
  };

  /** Resolves once `predicate` holds over the collected items; rejects after `timeoutMs`. */
  async until(predicate: (items: T[]) => boolean, timeoutMs = 5000, what = 'condition'): Promise<T[]> {
    if (predicate(this.items)) return this.items;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.items)) return;
        cleanup();
        resolve(this.items);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.items).slice(0, 2000)} errors ${String(this.errors)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** Waits for `n` items matching `match`, returns them. */
  async count(match: (item: T) => boolean, n: number, timeoutMs = 5000): Promise<T[]> {
    await this.until((items) => items.filter(match).length >= n, timeoutMs, `${n} matching items`);
    return this.items.filter(match);
  }

  /** Waits for the first item matching `match`. */
  async first(match: (item: T) => boolean, timeoutMs = 5000): Promise<T> {
    return (await this.count(match, 1, timeoutMs))[0]!;
  }

  /** Waits for an error. */
  async error(timeoutMs = 5000): Promise<unknown> {
    await new Promise<void>((resolve, reject) => {
      if (this.errors.length) return resolve();
      const timer = setTimeout(() => reject(new Error('timed out waiting for an error')), timeoutMs);
      this.waiters.add(() => {
        if (this.errors.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return this.errors[0];
  }
}

/** Waits until `check` returns truthy, polling on the event loop, or throws after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
