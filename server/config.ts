import { z } from 'zod';
import { LIMITS } from '../shared/limits.ts';

/** The only reader of the environment: everything configurable, zod-parsed, with embedded defaults. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type RateLimit = { count: number; windowSeconds: number } | null;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  /** Prefix for every Redis key and channel, so several deployments (or test files) share one Redis. */
  redisPrefix: string;
  jwtSecret: string | null;
  corsOrigins: string[];
  logLevel: LogLevel;
  rateLimitMessages: RateLimit;
  /** Seconds a draining server waits for in-flight work after telling clients to reconnect. */
  shutdownGraceSeconds: number;
  /** Document updates after a snapshot that trigger a compaction. */
  docCompactEvery: number;
  /** Comma-separated ICE servers for the web app's calls (STUN/TURN URLs); empty = host candidates only. */
  iceServers: string[];
  /** Collect garbage once a burst of new connections settles (smaller idle memory, one short pause). */
  gcAfterConnectBursts: boolean;
}

const rateLimit = z
  .string()
  .trim()
  .transform((v, ctx): RateLimit => {
    if (v === 'off') return null;
    const m = /^(\d+)\/(\d+)s$/.exec(v);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
      ctx.addIssue({ code: 'custom', message: 'expected "<count>/<seconds>s" (e.g. 20/10s) or "off"' });
      return z.NEVER;
    }
    return { count: Number(m[1]), windowSeconds: Number(m[2]) };
  });

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const integer = (what: string, max: number) =>
  z.coerce
    .number({ error: `must be ${what}` })
    .int(`must be ${what}`)
    .min(0)
    .max(max);

const EnvSchema = z.object({
  PORT: integer('a port number', 65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]*$/, 'may contain only letters, digits and _:.-')
    .default('parley:'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CORS_ORIGINS: list.default([]),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  RATE_LIMIT_MESSAGES: rateLimit.default({ count: LIMITS.messagesPerWindow, windowSeconds: LIMITS.messageWindowSeconds }),
  SHUTDOWN_GRACE_SECONDS: integer('a number of seconds', 3600).default(10),
  ICE_SERVERS: list.default([]),
  DOC_COMPACT_EVERY: integer('a number of updates', 1_000_000).min(1).default(500),
  GC_AFTER_CONNECT_BURSTS: z.enum(['on', 'off']).default('on'),
});

/** A configuration problem, reported at start as one line naming the variable. */
export class ConfigError extends Error {}

/** Parses the environment into a Config, throwing ConfigError that names the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.REDIS_URL && !e.DATABASE_URL) {
    throw new ConfigError(
      'invalid REDIS_URL: the embedded database is single-process; set DATABASE_URL to a PostgreSQL server to run with Redis',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX,
    jwtSecret: e.JWT_SECRET ?? null,
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    rateLimitMessages: e.RATE_LIMIT_MESSAGES,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    docCompactEvery: e.DOC_COMPACT_EVERY,
    iceServers: e.ICE_SERVERS,
    gcAfterConnectBursts: e.GC_AFTER_CONNECT_BURSTS === 'on',
  };
}
