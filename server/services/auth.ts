import { eq } from 'drizzle-orm';
import type * as wire from '../../shared/entities.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import type { RefreshTokens } from '../auth/refresh.ts';
import type { TokenService } from '../auth/tokens.ts';
import type { Db } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { users } from '../db/schema/index.ts';
import { conflict, tooManyRequests, unauthorized } from '../errors.ts';
import type { RateLimiter } from '../ratelimit/index.ts';
import { presentUser } from './present.ts';
import type { UserService } from './users.ts';

/** Failed logins tolerated per username and per client address in LOGIN_WINDOW_SECONDS. */
const FAILURES_PER_USERNAME = 10;
const FAILURES_PER_ADDRESS = 100;
const LOGIN_WINDOW_SECONDS = 15 * 60;

export interface AuthDeps {
  db: Db;
  passwords: PasswordHasher;
  tokens: TokenService;
  refresh: RefreshTokens;
  limiter: RateLimiter;
  users: UserService;
}

/** Accounts and sessions: register, login (throttled), refresh rotation, logout. */
export function createAuthService({ db, passwords, tokens, refresh, limiter, users: userService }: AuthDeps) {
  async function session(user: wire.User, refreshToken: string): Promise<wire.Session> {
    const { token, expiresIn } = await tokens.sign(user.id, user.username);
    return { user, access_token: token, refresh_token: refreshToken, expires_in: expiresIn };
  }

  async function throttled(username: string, address: string) {
    const [byName, byAddress] = await Promise.all([
      limiter.count(`login:user:${username}`, LOGIN_WINDOW_SECONDS),
      limiter.count(`login:addr:${address}`, LOGIN_WINDOW_SECONDS),
    ]);
    if (byName >= FAILURES_PER_USERNAME || byAddress >= FAILURES_PER_ADDRESS) {
      throw tooManyRequests('Too many failed logins; try again later', LOGIN_WINDOW_SECONDS);
    }
  }

  async function recordFailure(username: string, address: string) {
    await Promise.all([
      limiter.hit(`login:user:${username}`, Number.MAX_SAFE_INTEGER, LOGIN_WINDOW_SECONDS),
      limiter.hit(`login:addr:${address}`, Number.MAX_SAFE_INTEGER, LOGIN_WINDOW_SECONDS),
    ]);
  }

  return {
    async register(input: { username: string; password: string; displayName?: string }): Promise<wire.Session> {
      const passwordHash = await passwords.hash(input.password);
      try {
        const [row] = await db
          .insert(users)
          .values({ username: input.username, displayName: input.displayName ?? input.username, passwordHash })
          .returning();
        return session(presentUser(row!), await refresh.start(row!.id));
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('Username is taken');
        throw err;
      }
    },

    async login(input: { username: string; password: string }, address: string): Promise<wire.Session> {
      await throttled(input.username, address);
      const [row] = await db.select().from(users).where(eq(users.username, input.username));
      const ok = row ? await passwords.verify(input.password, row.passwordHash) : (await passwords.burn(input.password), false);
      if (!ok || !row) {
        await recordFailure(input.username, address);
        throw unauthorized('Wrong username or password');
      }
      await limiter.reset(`login:user:${input.username}`);
      return session(presentUser(row), await refresh.start(row.id));
    },

    async refresh(refreshToken: string): Promise<wire.Session> {
      const next = await refresh.rotate(refreshToken);
      const user = await userService.byId(next.userId).catch(() => {
        throw unauthorized('Invalid refresh token');
      });
      return session(user, next.token);
    },

    async logout(refreshToken: string): Promise<void> {
      await refresh.revoke(refreshToken);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
