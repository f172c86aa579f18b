/**
 * Browser origins allowed to call the API and open WebSockets. Same-origin requests and
 * non-browser clients (no Origin header) are always allowed.
 */
export function createOriginPolicy(allowed: string[]) {
  const set = new Set(allowed);
  const any = set.has('*');
  const isAllowed = (req: Request): boolean => {
    const origin = req.headers.get('origin');
    if (!origin || any || set.has(origin)) return true;
    const host = req.headers.get('host');
    try {
      return !!host && new URL(origin).host === host;
    } catch {
      return false;
    }
  };
  return {
    isAllowed,
    /** CORS response headers for an allowed cross-origin request. */
    headers(req: Request): Record<string, string> {
      const origin = req.headers.get('origin');
      if (!origin || !isAllowed(req)) return {};
      return {
        'access-control-allow-origin': origin,
        'access-control-allow-headers': 'authorization, content-type, trpc-accept, x-trpc-source',
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-max-age': '600',
        vary: 'origin',
      };
    },
  };
}

export type OriginPolicy = ReturnType<typeof createOriginPolicy>;
