import type { DocStore, PendingWrite } from './store.ts';

interface Waiting {
  writes: PendingWrite[];
  resolve(first: number | null): void;
  reject(err: unknown): void;
}

/**
 * Group commit across documents: whatever every open document queued while the previous
 * transactions ran is written together, so 500 documents with a few edits each cost a few
 * transactions, not 500. Each open document has at most one request waiting at a time.
 */
export function createDocWriter(store: DocStore, concurrency: number) {
  let waiting = new Map<string, Waiting[]>();
  let running = 0;

  async function run() {
    running++;
    try {
      while (waiting.size) {
        // Other documents' flushes, started by messages still in the event loop, join this batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = waiting;
        waiting = new Map();
        try {
          const firsts = await store.appendMany(
            [...batch].map(([documentId, ws]) => ({ documentId, writes: ws.flatMap((w) => w.writes) })),
          );
          for (const [documentId, ws] of batch) {
            let next = firsts.get(documentId) ?? null;
            for (const w of ws) {
              w.resolve(next);
              if (next !== null) next += w.writes.length;
            }
          }
        } catch (err) {
          for (const ws of batch.values()) for (const w of ws) w.reject(err);
        }
      }
    } finally {
      running--;
    }
  }

  return {
    /** Appends one document's updates; resolves to its first sequence, or null when the document is gone. */
    append(documentId: string, writes: PendingWrite[]): Promise<number | null> {
      return new Promise((resolve, reject) => {
        const list = waiting.get(documentId);
        if (list) list.push({ writes, resolve, reject });
        else waiting.set(documentId, [{ writes, resolve, reject }]);
        if (running < concurrency) void run();
      });
    },
  };
}

export type DocWriter = ReturnType<typeof createDocWriter>;
