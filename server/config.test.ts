import { describe, expect, test } from 'bun:test';
import { ConfigError, loadConfig } from './config.ts';

/** Catches the ConfigError loadConfig must throw for `env` and returns its message. */
function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  test('an empty environment gives the documented embedded defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      databaseUrl: null,
      redisUrl: null,
      redisPrefix: 'parley:',
      jwtSecret: null,
      corsOrigins: [],
      logLevel: 'info',
      rateLimitMessages: { count: 20, windowSeconds: 10 },
      rateLimits: true,
      rateLimitRegistrations: { count: 30, windowSeconds: 3600 },
      metricsToken: null,
      shutdownGraceSeconds: 10,
      docCompactEvery: 500,
      iceServers: [],
      reusePort: false,
      orderKeyMaxLength: 24,
      maxUploadBytes: 25 * 1024 * 1024,
      rateLimitUploads: { count: 30, windowSeconds: 60 },
      uploadQuotaBytes: 1024 * 1024 * 1024,
      uploadTtlSeconds: 86400,
      fileSweepSeconds: 300,
      searchUpkeepSeconds: 1,
      storageDir: null,
      s3: null,
      gcAfterConnectBursts: true,
    });
  });

  test('empty strings mean unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', JWT_SECRET: '', RATE_LIMIT_MESSAGES: '' })).toEqual(loadConfig({}));
  });

  test('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/var/lib/parley',
      DATABASE_URL: 'postgresql://u:p@db:5432/parley',
      REDIS_URL: 'rediss://cache:6380',
      REDIS_PREFIX: 'test:1:',
      JWT_SECRET: 's'.repeat(32),
      CORS_ORIGINS: 'https://a.example, https://b.example,,',
      LOG_LEVEL: 'debug',
      RATE_LIMIT_MESSAGES: '5/2s',
      SHUTDOWN_GRACE_SECONDS: '0',
      ICE_SERVERS: 'stun:stun.example:3478',
      REUSE_PORT: 'true',
      ORDER_KEY_MAX_LENGTH: '8',
      MAX_UPLOAD_BYTES: '1048576',
      RATE_LIMIT_UPLOADS: 'off',
      UPLOAD_QUOTA_BYTES: '2048',
      UPLOAD_TTL_SECONDS: '60',
      FILE_SWEEP_SECONDS: '0',
      SEARCH_UPKEEP_SECONDS: '0',
      STORAGE_DIR: '/srv/files',
      S3_BUCKET: 'b',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_REGION: 'r',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 's',
      GC_AFTER_CONNECT_BURSTS: 'off',
    });
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/var/lib/parley',
      databaseUrl: 'postgresql://u:p@db:5432/parley',
      redisUrl: 'rediss://cache:6380',
      redisPrefix: 'test:1:',
      jwtSecret: 's'.repeat(32),
      corsOrigins: ['https://a.example', 'https://b.example'],
      logLevel: 'debug',
      rateLimitMessages: { count: 5, windowSeconds: 2 },
      rateLimits: true,
      rateLimitRegistrations: { count: 30, windowSeconds: 3600 },
      metricsToken: null,
      shutdownGraceSeconds: 0,
      docCompactEvery: 500,
      iceServers: ['stun:stun.example:3478'],
      reusePort: true,
      orderKeyMaxLength: 8,
      maxUploadBytes: 1048576,
      rateLimitUploads: null,
      uploadQuotaBytes: 2048,
      uploadTtlSeconds: 60,
      fileSweepSeconds: 0,
      searchUpkeepSeconds: 0,
      storageDir: '/srv/files',
      s3: { bucket: 'b', endpoint: 'http://127.0.0.1:9000', region: 'r', accessKeyId: 'k', secretAccessKey: 's' },
      gcAfterConnectBursts: false,
    });
  });

  test('RATE_LIMIT_MESSAGES=off disables the limit; PORT=0 asks for an ephemeral port', () => {
    expect(loadConfig({ RATE_LIMIT_MESSAGES: 'off' }).rateLimitMessages).toBeNull();
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).databaseUrl).toBe('postgres://x/y');
  });

  test('RATE_LIMITS=off turns every rate limit off, RATE_LIMIT_MESSAGES included; METRICS_TOKEN is read', () => {
    const off = loadConfig({ RATE_LIMITS: 'off', RATE_LIMIT_MESSAGES: '5/2s', RATE_LIMIT_REGISTRATIONS: '3/60s' });
    expect(off).toMatchObject({ rateLimits: false, rateLimitMessages: null, rateLimitRegistrations: null });
    expect(loadConfig({ RATE_LIMIT_REGISTRATIONS: '3/60s' }).rateLimitRegistrations).toEqual({ count: 3, windowSeconds: 60 });
    expect(loadConfig({ METRICS_TOKEN: 'm'.repeat(16) }).metricsToken).toBe('m'.repeat(16));
  });

  test('other variables in the environment are ignored', () => {
    expect(loadConfig({ PATH: '/bin', HOME: '/root', SOMETHING_ELSE: 'x' })).toEqual(loadConfig({}));
  });

  const bad: [variable: string, env: Record<string, string>][] = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '65536' }],
    ['PORT', { PORT: '80.5' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/db' }],
    ['DATABASE_URL', { DATABASE_URL: 'localhost:5432' }],
    ['REDIS_URL', { DATABASE_URL: 'postgres://db/x', REDIS_URL: 'http://cache' }],
    ['REDIS_URL', { REDIS_URL: 'redis://cache:6379' }],
    ['RATE_LIMIT_MESSAGES', { RATE_LIMIT_MESSAGES: 'lots' }],
    ['RATE_LIMIT_MESSAGES', { RATE_LIMIT_MESSAGES: '0/10s' }],
    ['RATE_LIMIT_MESSAGES', { RATE_LIMIT_MESSAGES: '20/0s' }],
    ['RATE_LIMIT_MESSAGES', { RATE_LIMIT_MESSAGES: '20 per 10s' }],
    ['JWT_SECRET', { JWT_SECRET: 'too-short' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['SHUTDOWN_GRACE_SECONDS', { SHUTDOWN_GRACE_SECONDS: 'soon' }],
    ['REDIS_PREFIX', { REDIS_PREFIX: 'has space' }],
    ['RATE_LIMITS', { RATE_LIMITS: 'maybe' }],
    ['RATE_LIMIT_REGISTRATIONS', { RATE_LIMIT_REGISTRATIONS: 'many' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
  ];
  for (const [variable, env] of bad) {
    test(`${JSON.stringify(env)} throws a ConfigError naming ${variable}`, () => {
      const message = refusal(env);
      expect(message).toContain(variable);
      expect(message).not.toContain('\n');
    });
  }

  test('REDIS_URL without DATABASE_URL is refused because the embedded database is single-process', () => {
    const message = refusal({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('DATABASE_URL');
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://db/x' }).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  test('REUSE_PORT is a boolean, and refused on the embedded database (one process per DATA_DIR)', () => {
    expect(refusal({ REUSE_PORT: 'yes', DATABASE_URL: 'postgres://db/x' })).toContain('REUSE_PORT');
    expect(refusal({ REUSE_PORT: 'true' })).toContain('REUSE_PORT');
    expect(loadConfig({ REUSE_PORT: '1', DATABASE_URL: 'postgres://db/x' }).reusePort).toBe(true);
    expect(loadConfig({ REUSE_PORT: 'false' }).reusePort).toBe(false);
  });

  test('reads process.env when given nothing', () => {
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn';
    try {
      expect(loadConfig().logLevel).toBe('warn');
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });
});
