/**
 * A start-up failure the operator can fix: its message is one line naming what to change
 * (the variable, the directory, the port), printed as `parley: <message>` before exiting non-zero.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

interface ErrorLike {
  code?: string;
  message?: string;
  hostname?: string;
  address?: string;
  port?: number;
}

/** `host:port/database` of a PostgreSQL URL: enough to recognise it, never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused; is PostgreSQL running and listening there?',
  ECONNRESET: 'connection reset; is that a PostgreSQL server?',
  ETIMEDOUT: 'connection timed out; is the host reachable?',
  CONNECT_TIMEOUT: 'connection timed out; is the host reachable?',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
};

/** Turns what postgres.js throws while connecting and migrating into one line naming DATABASE_URL. */
export function databaseFailure(err: unknown, url: string): StartupError {
  const e = (err ?? {}) as ErrorLike;
  const where = describeDatabaseUrl(url);
  const detail = (e.message ?? String(err)).split('\n')[0];
  const code = e.code ?? '';
  let message: string;
  if (code === 'ENOTFOUND') message = `cannot reach the database in DATABASE_URL (${where}): host "${e.hostname ?? ''}" not found`;
  else if (NETWORK[code]) message = `cannot reach the database in DATABASE_URL (${where}): ${NETWORK[code]}`;
  else if (code === '3D000')
    message = `the database in DATABASE_URL does not exist (${where}): create it (createdb ${where.split('/')[1] ?? ''}) or fix DATABASE_URL`;
  else if (code === '28P01' || code === '28000')
    message = `PostgreSQL refused the login in DATABASE_URL (${where}): ${detail}; fix the user/password in DATABASE_URL or pg_hba.conf`;
  else if (code === '42501')
    message = `the DATABASE_URL user may not create Parley's tables (${where}): ${detail}; grant it CREATE on the database or run the first start as its owner`;
  else if (code === '53300' || code === '57P03') message = `PostgreSQL in DATABASE_URL (${where}) is not accepting connections: ${detail}`;
  else message = `cannot use the database in DATABASE_URL (${where}): ${detail}`;
  return new StartupError(message, { cause: err });
}

/** Bun.serve's error for a port another process holds, as one line naming PORT. */
export function portFailure(err: unknown, port: number, host: string): StartupError | null {
  if ((err as ErrorLike | null)?.code !== 'EADDRINUSE') return null;
  return new StartupError(
    `PORT ${port} is already in use on ${host}: stop the other process or set PORT to a free port (REUSE_PORT=true lets Parley instances on PostgreSQL share one)`,
    { cause: err },
  );
}

/** The one line printed for any error that ends a start: ours verbatim, anything else as its first line. */
export function startupFailureLine(err: unknown): string {
  if (err instanceof StartupError) return err.message;
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return `failed to start: ${first} (set LOG_LEVEL=debug for details)`;
}
