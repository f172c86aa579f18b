import { createHmac, timingSafeEqual } from 'node:crypto';

/** A download link's proof: who it was issued to and until when. */
export interface UrlClaims {
  fileId: string;
  userId: string;
  /** Unix seconds. */
  exp: number;
}

/**
 * Signs download URLs with HMAC-SHA256 under a key derived from the JWT secret (so a leaked
 * download signature says nothing about tokens, and every instance signs alike). A URL names the
 * user it was issued to: the download edge re-checks that this user may still see the file.
 */
export function createUrlSigner(jwtSecret: Uint8Array) {
  const key = createHmac('sha256', jwtSecret).update('parley/files/download-url/v1').digest();
  const mac = (c: UrlClaims) => createHmac('sha256', key).update(`${c.fileId}\n${c.userId}\n${c.exp}`).digest();

  return {
    /** `/files/<id>/<filename>?u=…&exp=…&sig=…`, valid for `ttlSeconds`. */
    url(fileId: string, filename: string, userId: string, ttlSeconds: number, now = Date.now()): string {
      const exp = Math.floor(now / 1000) + ttlSeconds;
      const sig = mac({ fileId, userId, exp }).toString('base64url');
      return `/files/${fileId}/${encodeURIComponent(filename)}?u=${userId}&exp=${exp}&sig=${sig}`;
    },

    /** The claims of a well-signed, unexpired link, else null. */
    verify(fileId: string, params: URLSearchParams, now = Date.now()): UrlClaims | null {
      const userId = params.get('u') ?? '';
      const expText = params.get('exp') ?? '';
      const sig = Buffer.from(params.get('sig') ?? '', 'base64url');
      if (!/^\d{1,12}$/.test(expText) || !userId) return null;
      const claims = { fileId, userId, exp: Number(expText) };
      const expected = mac(claims);
      if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
      return claims.exp * 1000 > now ? claims : null;
    },
  };
}

export type UrlSigner = ReturnType<typeof createUrlSigner>;
