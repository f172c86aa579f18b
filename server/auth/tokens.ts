import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import { LIMITS } from '../../shared/limits.ts';
import { unauthorized } from '../errors.ts';

const ALG = 'HS256';
const ISSUER = 'parley';
const AUDIENCE = 'parley';
/** RFC 9068 access-token type: a refresh token or an ID token can never pass as an access token. */
const TYP = 'at+jwt';

export interface AccessClaims {
  userId: string;
  username: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export interface TokenService {
  sign(userId: string, username: string): Promise<{ token: string; expiresIn: number }>;
  verify(token: string): Promise<AccessClaims>;
}

/**
 * How many verified tokens are remembered. An HTTP client presents the same token on every call for its
 * 15 minutes, and checking its signature again costs about 45 µs of CPU on each: the cache answers in
 * about one. Only tokens that verified are kept (keyed by the whole string, signature included), each
 * still expires at its `exp`, and the oldest is dropped when the cache is full.
 */
const VERIFIED_CACHE_SIZE = 10_000;

/** Signs and verifies access tokens with algorithm, issuer, audience, typ and expiry pinned. */
export function createTokenService(secret: Uint8Array, now: () => number = Date.now, cacheSize = VERIFIED_CACHE_SIZE): TokenService {
  // Imported once: jose would otherwise import the raw secret as a new CryptoKey on every call.
  const key = crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  const verified = new Map<string, Readonly<AccessClaims>>();
  return {
    async sign(userId, username) {
      const iat = Math.floor(now() / 1000);
      const token = await new SignJWT({ name: username })
        .setProtectedHeader({ alg: ALG, typ: TYP })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(userId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + LIMITS.accessTokenSeconds)
        .sign(await key);
      return { token, expiresIn: LIMITS.accessTokenSeconds };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        // jose's rule: expired once `exp` is at or before the current second.
        if (known.exp > Math.floor(now() / 1000)) return known;
        verified.delete(token);
        throw unauthorized('Access token expired');
      }
      const claims = await verifySignature(token);
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
      return claims;
    },
  };

  async function verifySignature(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, await key, {
        algorithms: [ALG],
        issuer: ISSUER,
        audience: AUDIENCE,
        typ: TYP,
        requiredClaims: ['exp', 'sub', 'iat'],
        currentDate: new Date(now()),
      });
      if (typeof payload.name !== 'string') throw unauthorized('Malformed access token');
      return Object.freeze({ userId: payload.sub!, username: payload.name, exp: payload.exp! });
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw unauthorized('Access token expired');
      throw unauthorized('Invalid access token');
    }
  }
}

/**
 * The signing secret: JWT_SECRET when set, otherwise one generated on first start and kept
 * under DATA_DIR (mode 0600) so tokens survive restarts.
 */
export function loadSecret(configured: string | null, dataDir: string): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const fresh = Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url');
    try {
      writeFileSync(file, fresh, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}
