// Starting, probing and stopping the server under test as a child process.
import { mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const LOG_DIR = join(ROOT, 'bench/results/raw'); // git-ignored

export type ServerProc = {
  pid: number;
  port: number;
  logFile: string;
  stop(): Promise<void>;
};

/** A port nobody listens on right now (the OS picks it, we release it immediately). */
export function freePort(): number {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const p = s.port;
  s.stop(true);
  return p;
}

/** Spawns `cmd`, logs its output under bench/results/raw/, and waits until `readyPath` answers 200. */
export async function startServer(opts: {
  name: string;
  cmd: string[];
  env?: Record<string, string>;
  port: number;
  readyPath: string;
  timeoutMs?: number;
}): Promise<ServerProc> {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${opts.name}.log`);
  const fd = openSync(logFile, 'w');
  const proc = Bun.spawn(opts.cmd, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 60000);
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode) {
      throw new Error(`${opts.name} exited during start (code ${proc.exitCode}); see ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const r = await fetch(`http://127.0.0.1:${opts.port}${opts.readyPath}`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${opts.name} not ready after ${opts.timeoutMs ?? 60000} ms; see ${logFile}:\n${tail(logFile)}`);
    }
    await Bun.sleep(100);
  }
  return {
    pid: proc.pid,
    port: opts.port,
    logFile,
    async stop() {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await proc.exited;
      clearTimeout(t);
    },
  };
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Resident set size of a process in bytes, from /proc (works for every target alike). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU time (user + system, all threads) of a process in milliseconds. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // fields 14,15; USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/**
 * CPU time, in ms, of the PostgreSQL processes working for the bench: backends of our
 * parley_bench_* databases plus the shared WAL writer / checkpointer / background writer.
 * Other sessions' databases on the same server are left to `other`.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/parley_bench_|walwriter|checkpointer|background writer/.test(title)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      // process exited while we looked
    }
  }
  return total;
}

/** CPU time used machine-wide (all cores, all processes) in ms, from /proc/stat. */
export function machineBusyMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: everything but idle and iowait is busy
  const busy = f.reduce((a, x, i) => (i === 3 || i === 4 || i > 7 ? a : a + x), 0);
  return busy * 10; // USER_HZ = 100
}

/** Machine-wide CPU use over `ms`, in % of one core (200 = both cores of a 2-core box busy). */
export async function busyPct(ms = 1000): Promise<number> {
  const a = machineBusyMs();
  await Bun.sleep(ms);
  return Math.round(((machineBusyMs() - a) / ms) * 100);
}

/** Waits up to `maxS` seconds for other jobs to go quiet (< 20% of a core); returns the last reading. */
export async function waitQuiet(maxS: number): Promise<number> {
  let busy = await busyPct(1000);
  for (const until = Date.now() + maxS * 1000; busy > 20 && Date.now() < until;) busy = await busyPct(2000);
  return busy;
}
