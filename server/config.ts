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
  /** RATE_LIMITS=off: every rate limit (messages, typing, signals, awareness, registration, login, uploads) is off; size limits stay. */
  rateLimits: boolean;
  /** Accounts one client address may register per window (`off` for test fixtures). */
  rateLimitRegistrations: RateLimit;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** Seconds a draining server waits for in-flight work after telling clients to reconnect. */
  shutdownGraceSeconds: number;
  /** Largest accepted upload in bytes (MAX_UPLOAD_BYTES). */
  maxUploadBytes: number;
  /** Uploads per user per window (RATE_LIMIT_UPLOADS); null = unlimited. */
  rateLimitUploads: RateLimit;
  /** Bytes of live files one user may keep (UPLOAD_QUOTA_BYTES). */
  uploadQuotaBytes: number;
  /** Seconds an upload may stay unattached before the sweeper deletes it (UPLOAD_TTL_SECONDS). */
  uploadTtlSeconds: number;
  /** Seconds between file sweeps (FILE_SWEEP_SECONDS); 0 = never. */
  fileSweepSeconds: number;
  /** Seconds between merges of the search index's pending list (SEARCH_UPKEEP_SECONDS); 0 = never. */
  searchUpkeepSeconds: number;
  /** STORAGE_DIR; null = DATA_DIR/files. */
  storageDir: string | null;
  /** S3-compatible storage, when S3_BUCKET is set. */
  s3: { bucket: string; endpoint?: string; region?: string; accessKeyId?: string; secretAccessKey?: string } | null;
  /** Document updates after a snapshot that trigger a compaction. */
  docCompactEvery: number;
  /** Comma-separated ICE servers for the web app's calls (STUN/TURN URLs); empty = host candidates only. */
  iceServers: string[];
  /** Let several Parley processes listen on one port (SO_REUSEPORT); otherwise a taken port fails the start. */
  reusePort: boolean;
  /** Order keys (tasks, columns, cards) longer than this make their siblings rebalance; lowered by tests to exercise it. */
  orderKeyMaxLength: number;
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
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_REGISTRATIONS: rateLimit.default({ count: 30, windowSeconds: 3600 }),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SHUTDOWN_GRACE_SECONDS: integer('a number of seconds', 3600).default(10),
  ICE_SERVERS: list.default([]),
  REUSE_PORT: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1')
    .default(false),
  ORDER_KEY_MAX_LENGTH: integer('a key length', 1000).default(24),
  MAX_UPLOAD_BYTES: integer('a number of bytes', 2 ** 40).default(25 * 1024 * 1024),
  RATE_LIMIT_UPLOADS: rateLimit.default({ count: 30, windowSeconds: 60 }),
  UPLOAD_QUOTA_BYTES: integer('a number of bytes', 2 ** 50).default(1024 * 1024 * 1024),
  UPLOAD_TTL_SECONDS: integer('a number of seconds', 365 * 24 * 3600).default(24 * 3600),
  FILE_SWEEP_SECONDS: integer('a number of seconds', 24 * 3600).default(300),
  SEARCH_UPKEEP_SECONDS: integer('a number of seconds', 3600).default(1),
  STORAGE_DIR: z.string().optional(),
  S3_BUCKET: z.string().optional(),
  S3_ENDPOINT: z.url('must be a URL').optional(),
  S3_REGION: z.string().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
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
  if (e.REUSE_PORT && !e.DATABASE_URL) {
    throw new ConfigError('invalid REUSE_PORT: only instances sharing a PostgreSQL database (DATABASE_URL) may share a port');
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
    rateLimits: e.RATE_LIMITS === 'on',
    // RATE_LIMITS=off wins over the specific limits: one switch for benchmarks and fixtures.
    rateLimitMessages: e.RATE_LIMITS === 'on' ? e.RATE_LIMIT_MESSAGES : null,
    rateLimitRegistrations: e.RATE_LIMITS === 'on' ? e.RATE_LIMIT_REGISTRATIONS : null,
    metricsToken: e.METRICS_TOKEN ?? null,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    orderKeyMaxLength: e.ORDER_KEY_MAX_LENGTH,
    docCompactEvery: e.DOC_COMPACT_EVERY,
    iceServers: e.ICE_SERVERS,
    reusePort: e.REUSE_PORT,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    rateLimitUploads: e.RATE_LIMIT_UPLOADS,
    uploadQuotaBytes: e.UPLOAD_QUOTA_BYTES,
    uploadTtlSeconds: e.UPLOAD_TTL_SECONDS,
    fileSweepSeconds: e.FILE_SWEEP_SECONDS,
    searchUpkeepSeconds: e.SEARCH_UPKEEP_SECONDS,
    storageDir: e.STORAGE_DIR ?? null,
    s3: e.S3_BUCKET
      ? {
          bucket: e.S3_BUCKET,
          endpoint: e.S3_ENDPOINT,
          region: e.S3_REGION,
          accessKeyId: e.S3_ACCESS_KEY_ID,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY,
        }
      : null,
    gcAfterConnectBursts: e.GC_AFTER_CONNECT_BURSTS === 'on',
  };
}
