import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './failures.ts';

const errnoOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';
/** Files Parley itself keeps in DATA_DIR: a directory holding one of them is ours to chmod. */
const OURS = ['pgdata', 'jwt-secret', 'parley.lock'];

/**
 * Creates `dir` (mode 0700) if needed and proves the process can write there, so a bad
 * DATA_DIR/STORAGE_DIR fails the start with one line instead of a stack from deep inside.
 */
export function ensureWritableDir(variable: string, dir: string): void {
  const fix = `give the user running Parley write access to it or set ${variable} to a directory it owns`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') throw new StartupError(`${variable} ${dir} is not a directory: ${fix}`, { cause: err });
    throw new StartupError(`${variable} ${dir} cannot be created (${errnoOf(err)}): ${fix}`, { cause: err });
  }
  if (!statSync(dir).isDirectory()) throw new StartupError(`${variable} ${dir} is not a directory: ${fix}`);
  const probe = join(dir, `.parley-write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
    unlinkSync(probe);
  } catch (err) {
    rmSync(probe, { force: true });
    throw new StartupError(`${variable} ${dir} is not writable (${errnoOf(err)}): ${fix}`, { cause: err });
  }
}

/**
 * DATA_DIR holds the database and the JWT secret: only its owner may enter it. A directory that
 * is not recognisably Parley's (say DATA_DIR=/tmp by mistake) is left alone, with a warning.
 */
export function restrictDataDir(dir: string, warn: (msg: string, fields: Record<string, unknown>) => void): void {
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  const entries = readdirSync(dir);
  if (entries.length === 0 || entries.some((e) => OURS.includes(e))) chmodSync(dir, 0o700);
  else warn('DATA_DIR is open to other users; chmod 700 it', { dir, mode: mode.toString(8) });
}

/** Owner-only modes for everything under `dir`: PGlite creates its files 0666 whatever the umask. */
export function restrictTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    try {
      if (entry.isDirectory()) {
        chmodSync(path, 0o700);
        restrictTree(path);
      } else if (entry.isFile()) chmodSync(path, 0o600);
    } catch {
      // A file PGlite removed meanwhile.
    }
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  // A restarted container gives the new process the old one's pid: that lock is ours, not live.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM'; // exists, owned by someone else
  }
}

const readPid = (file: string) => {
  try {
    return Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return NaN;
  }
};

/** Creates `file` holding our pid, atomically: false when it already exists. */
function create(file: string): boolean {
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Takes DATA_DIR for this process: the embedded database must never be opened by two (each
 * would overwrite the other's pages and lose acknowledged writes). The lock is a pid file
 * created exclusively; one left by a dead process is taken over, under a second exclusive
 * file so that two processes finding the same stale lock cannot both take it.
 * Returns the release function (also run at exit).
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, 'parley.lock');
  const refuse = (pid: number) =>
    new StartupError(
      `DATA_DIR ${dir} is in use by another Parley process (pid ${pid}, ${file}): the embedded database allows one process; stop it or set a different DATA_DIR (or DATABASE_URL to run several)`,
    );
  if (!create(file)) {
    const holder = readPid(file);
    if (alive(holder)) throw refuse(holder);
    const breaker = `${file}.takeover`;
    if (!create(breaker)) {
      const other = readPid(breaker);
      if (alive(other)) throw refuse(other);
      // A takeover that died half-way (microseconds wide): clear it and let the next start retry.
      rmSync(breaker, { force: true });
      throw new StartupError(`DATA_DIR ${dir} had an interrupted lock takeover (${breaker} removed): start again`);
    }
    try {
      // Re-read under the breaker: only a lock still held by the dead pid may be replaced.
      const now = readPid(file);
      if (now !== holder && alive(now)) throw refuse(now);
      rmSync(file, { force: true });
      if (!create(file)) throw refuse(readPid(file));
    } finally {
      rmSync(breaker, { force: true });
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readPid(file) === process.pid) rmSync(file, { force: true });
  };
  process.on('exit', release);
  return release;
}
