import { eq } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { PasswordHasher } from '../../auth/passwords.ts';
import type { RefreshTokens } from '../../auth/refresh.ts';
import type { TokenService } from '../../auth/tokens.ts';
import type { Db } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { users } from '../../db/schema/index.ts';
import { conflict, tooManyRequests, unauthorized } from '../../errors.ts';
import type { RateLimiter } from '../../ratelimit/index.ts';
import { presentUser } from '../present.ts';
import type { UserService } from './users.ts';

/**
 * Login attempts allowed per username and per client address in LOGIN_WINDOW_SECONDS. Attempts
 * are counted before the password is checked, so parallel guesses cannot outrun the limit; a
 * successful login clears its username's count.
 */
const ATTEMPTS_PER_USERNAME = 10;
const ATTEMPTS_PER_ADDRESS = 300;
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

  async function admitAttempt(username: string, address: string) {
    const byName = await limiter.hit(`login:user:${username}`, ATTEMPTS_PER_USERNAME, LOGIN_WINDOW_SECONDS);
    const byAddress = byName.allowed ? await limiter.hit(`login:addr:${address}`, ATTEMPTS_PER_ADDRESS, LOGIN_WINDOW_SECONDS) : byName;
    if (!byName.allowed || !byAddress.allowed) {
      throw tooManyRequests('Too many login attempts; try again later', Math.max(byName.retryAfterSeconds, byAddress.retryAfterSeconds));
    }
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
      await admitAttempt(input.username, address);
      const [row] = await db.select().from(users).where(eq(users.username, input.username));
      const ok = row ? await passwords.verify(input.password, row.passwordHash) : (await passwords.burn(input.password), false);
      if (!ok || !row) throw unauthorized('Wrong username or password');
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
