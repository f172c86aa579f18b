/** PostgreSQL error classification, the same for postgres.js and PGlite (both expose SQLSTATE as `code`). */
const sqlState = (err: unknown): string | undefined => {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
};

export const isUniqueViolation = (err: unknown) => sqlState(err) === '23505';
/** Text PostgreSQL refuses to store (a NUL character, invalid encoding): the caller's input, not our bug. */
export const isUnstorableText = (err: unknown) => ['22021', '22P05'].includes(sqlState(err) ?? '');
