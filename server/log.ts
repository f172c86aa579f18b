import type { LogLevel } from './config.ts';

/** Structured one-line JSON logs. Nothing here ever prints tokens: callers pass ids, not secrets. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

const serializable = (v: unknown): unknown =>
  v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause ? serializable(v.cause) : undefined } : v;

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => console.log(l)): Logger {
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[lvl] < ORDER[level]) return;
      const out: Record<string, unknown> = { t: new Date().toISOString(), level: lvl, msg };
      for (const [k, v] of Object.entries(fields)) out[k] = serializable(v);
      write(JSON.stringify(out));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
