import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(import.meta.dir, '../../..');

/** A process under test whose output is collected line by line. */
export interface Spawned {
  proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
  /** Every line written so far, stdout and stderr interleaved as they arrived. */
  lines: string[];
  stderr: string[];
  stdout: string[];
  /** Resolves with the first line matching, rejects if the process exits first or after `timeoutMs`. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves once the process is gone and its output fully read. */
  exited: Promise<{ code: number; signal: NodeJS.Signals | null }>;
}

/** Runs `cmd` with exactly `env` (plus PATH and HOME), collecting its output. */
export function spawnCollecting(cmd: string[], env: Record<string, string>, opts: { uid?: number } = {}): Spawned {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  const argv = opts.uid === undefined ? cmd : ['setpriv', `--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', ...cmd];
  const proc = Bun.spawn(argv, { cwd: ROOT, env: { ...base, ...env }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  const lines: string[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>, into: string[]) => {
    let rest = '';
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (!line.trim()) continue;
        lines.push(line);
        into.push(line);
        for (const wake of [...waiters]) wake();
      }
    }
    if (rest.trim()) (lines.push(rest), into.push(rest));
  };
  const pumped = Promise.all([pump(proc.stdout, stdout), pump(proc.stderr, stderr)]);
  const exited = Promise.all([proc.exited, pumped]).then(([code]) => {
    for (const wake of [...waiters]) wake();
    return { code, signal: proc.signalCode as NodeJS.Signals | null };
  });
  let done = false;
  void exited.then(() => (done = true));

  function waitForLine(match: (line: string) => boolean, timeoutMs = 120_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no matching line after ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
      const check = () => {
        const found = lines.find(match);
        if (found !== undefined) finish(found);
        else if (done) finish(new Error(`exited (${proc.exitCode ?? proc.signalCode}) without a matching line:\n${lines.join('\n')}`));
      };
      const finish = (result: string | Error) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      waiters.add(check);
      check();
    });
  }
  return { proc, lines, stdout, stderr, waitForLine, exited };
}

/** `bun server/index.ts` with exactly `env`. */
export function spawnServer(env: Record<string, string>, opts: { uid?: number } = {}): Spawned {
  return spawnCollecting([process.execPath, 'server/index.ts'], env, opts);
}

/** Waits until `check` holds, looking again whenever a line arrives or every `everyMs` (for file-system state). */
export async function until(check: () => boolean, what: string, timeoutMs = 120_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}
