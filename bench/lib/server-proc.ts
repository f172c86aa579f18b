// Starting, probing and stopping the server under test as a child process.
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
export const LOG_DIR = join(ROOT, "bench/results/raw"); // git-ignored

export type ServerProc = {
  pid: number;
  port: number;
  logFile: string;
  stop(): Promise<void>;
};

/** A port nobody listens on right now (the OS picks it, we release it immediately). */
export function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
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
  const fd = openSync(logFile, "w");
  const proc = Bun.spawn(opts.cmd, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", fd, fd],
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
      proc.kill("SIGKILL");
      throw new Error(`${opts.name} not ready after ${opts.timeoutMs ?? 60000} ms; see ${logFile}:\n${tail(logFile)}`);
    }
    await Bun.sleep(100);
  }
  return {
    pid: proc.pid,
    port: opts.port,
    logFile,
    async stop() {
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(t);
    },
  };
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Resident set size of a process in bytes, from /proc (works for every target alike). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU time (user + system, all threads) of a process in milliseconds. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // fields 14,15; USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}
