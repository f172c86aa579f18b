import { eq } from 'drizzle-orm';
import type * as wire from '../../../shared/entities.ts';
import type { PasswordHasher } from '../../auth/passwords.ts';
import type { RefreshTokens } from '../../auth/refresh.ts';
import type { TokenService } from '../../auth/tokens.ts';
import type { Db } from '../../db/client.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { users } from '../../db/schema/index.ts';
import { conflict, tooManyRequests, unauthorized } from '../../errors.ts';
import type { RateLimit } from '../../config.ts';
import type { RateLimiter } from '../../ratelimit/index.ts';
import { presentUser } from '../present.ts';
import type { UserService } from './users.ts';

/**
 * Login attempts allowed per username *from one address*, and per address over all usernames,
 * in LOGIN_WINDOW_SECONDS. Attempts are counted before the password is checked, so parallel
 * guesses cannot outrun the limit; a successful login clears its username+address count. No
 * limit keys on the username alone: a stranger's wrong guesses slow the stranger, never lock
 * the owner out from another address.
 */
const ATTEMPTS_PER_USERNAME_AND_ADDRESS = 10;
const ATTEMPTS_PER_ADDRESS = 100;
const LOGIN_WINDOW_SECONDS = 15 * 60;

export interface AuthDeps {
  db: Db;
  passwords: PasswordHasher;
  tokens: TokenService;
  refresh: RefreshTokens;
  limiter: RateLimiter;
  users: UserService;
  /** Accounts one address may register per window (null: unlimited). */
  registrations: RateLimit;
}

/** Accounts and sessions: register, login (throttled), refresh rotation, logout. */
export function createAuthService({ db, passwords, tokens, refresh, limiter, users: userService, registrations }: AuthDeps) {
  async function session(user: wire.User, refreshToken: string): Promise<wire.Session> {
    const { token, expiresIn } = await tokens.sign(user.id, user.username);
    return { user, access_token: token, refresh_token: refreshToken, expires_in: expiresIn };
  }

  const attemptKey = (username: string, address: string) => `login:ua:${address}|${username}`;

  async function admitAttempt(username: string, address: string) {
    const byName = await limiter.hit(attemptKey(username, address), ATTEMPTS_PER_USERNAME_AND_ADDRESS, LOGIN_WINDOW_SECONDS);
    const byAddress = byName.allowed ? await limiter.hit(`login:addr:${address}`, ATTEMPTS_PER_ADDRESS, LOGIN_WINDOW_SECONDS) : byName;
    if (!byName.allowed || !byAddress.allowed) {
      throw tooManyRequests('Too many login attempts; try again later', Math.max(byName.retryAfterSeconds, byAddress.retryAfterSeconds));
    }
  }

  return {
    async register(input: { username: string; password: string; displayName?: string }, address: string): Promise<wire.Session> {
      // Counted before the (deliberately slow) hash, so parallel registrations cannot outrun it.
      if (registrations) {
        const decision = await limiter.hit(`register:addr:${address}`, registrations.count, registrations.windowSeconds);
        if (!decision.allowed)
          throw tooManyRequests('Too many registrations from this address; try again later', decision.retryAfterSeconds);
      }
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
      await limiter.reset(attemptKey(input.username, address));
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
