import type { LogLevel } from './config.ts';

/**
 * Structured one-line JSON logs. Nothing here ever prints tokens, passwords or message content:
 * callers pass ids, and errors and fields are scrubbed on the way out (SECURITY.md).
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Fields whose value is a secret or user content: logged as `[redacted]` wherever they appear. */
const SECRET_KEYS = /^(password|token|access_token|refresh_token|authorization|content|nonce|params|data)$/i;

/**
 * Text of an error without the query parameters a database error quotes (drizzle's
 * `Failed query: ...\nparams: <values>` holds message content and password hashes).
 */
export const scrub = (text: string | undefined) => text?.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/g, '\nparams: [redacted]');

const serializable = (v: unknown, depth = 0): unknown => {
  if (v instanceof Error)
    return {
      name: v.name,
      message: scrub(v.message),
      stack: scrub(v.stack),
      cause: v.cause && depth < 5 ? serializable(v.cause, depth + 1) : undefined,
    };
  if (v && typeof v === 'object' && depth < 5) {
    if (Array.isArray(v)) return v.map((x) => serializable(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : serializable(x, depth + 1)]));
  }
  return v;
};

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => console.log(l)): Logger {
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[lvl] < ORDER[level]) return;
      const out: Record<string, unknown> = { t: new Date().toISOString(), level: lvl, msg };
      for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : serializable(v);
      write(JSON.stringify(out));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
