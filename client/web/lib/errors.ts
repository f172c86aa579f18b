import { TRPCClientError } from '../../index.ts';

/** What the server says about one bad field (`error.data.issues`). */
interface Issue {
  path: (string | number)[];
  message: string;
}

const FIELD: Record<string, string> = {
  username: 'Username',
  password: 'Password',
  display_name: 'Display name',
  content: 'Message',
  name: 'Name',
  description: 'Description',
  code: 'Invite code',
  query: 'Search',
  emoji: 'Reaction',
  topic: 'Topic',
};

const BY_CODE: Record<string, string> = {
  UNAUTHORIZED: 'Your session has ended. Please log in again.',
  FORBIDDEN: 'You are not allowed to do that here.',
  NOT_FOUND: 'That could not be found (it may have been deleted, or you are not a member).',
  CONFLICT: 'That already exists or was changed meanwhile.',
  TOO_MANY_REQUESTS: 'You are going a bit fast. Wait a moment and try again.',
  PAYLOAD_TOO_LARGE: 'That is too large.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on the server. Try again.',
};

/** Turns zod's terse wording ("Too small: expected string to have >=3 characters") into a sentence. */
export function friendlyIssue(issue: Issue): string {
  const key = String(issue.path.at(-1) ?? '');
  const field = FIELD[key] ?? (key ? key.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase()) : 'This');
  const m = issue.message;
  let match: RegExpMatchArray | null;
  if ((match = m.match(/Too small: expected string to have >=?(\d+) character/i)))
    return match[1] === '1' ? `${field} cannot be empty.` : `${field} must be at least ${match[1]} characters.`;
  if ((match = m.match(/Too big: expected string to have <=?(\d+) character/i))) return `${field} can be at most ${match[1]} characters.`;
  if (/expected string, received undefined|required/i.test(m)) return `${field} is required.`;
  if (/pattern|invalid string/i.test(m)) {
    if (key === 'username') return 'Username can only use lowercase letters, digits, and _ . -';
    return `${field} contains characters that are not allowed.`;
  }
  if (/invalid (uuid|input)/i.test(m)) return `${field} is not valid.`;
  return `${field}: ${m.replace(/^Invalid input: /, '')}`;
}

/** A request that never reached the server (it is down, or the network is). */
export function isNetworkError(err: unknown): boolean {
  const cause = err instanceof TRPCClientError ? (err.cause ?? err) : err;
  const text = cause instanceof Error ? `${cause.name} ${cause.message}` : String(cause);
  return (
    (err instanceof TRPCClientError && !err.data && /fetch|network|load failed|websocket|closed|connection/i.test(text)) ||
    (cause instanceof TypeError && /fetch|network/i.test(cause.message))
  );
}

/** Worth trying again unchanged: the network failed, the server hiccuped, or a rate limit applied. */
export function isRetryable(err: unknown): boolean {
  if (isNetworkError(err)) return true;
  const code = err instanceof TRPCClientError ? (err.data as { code?: string } | undefined)?.code : undefined;
  return code === 'TOO_MANY_REQUESTS' || code === 'INTERNAL_SERVER_ERROR' || code === 'TIMEOUT';
}

/** A short sentence for a failed call, never a raw "Failed to fetch" or zod message. */
export function errorText(err: unknown): string {
  if (isNetworkError(err)) return 'Cannot reach the server. Check your connection; we will keep trying.';
  if (err instanceof TRPCClientError) {
    const data = err.data as { code?: string; issues?: Issue[] } | undefined;
    if (data?.issues?.length) return data.issues.map(friendlyIssue).join(' ');
    // Domain errors carry a sentence meant for people; generic codes get ours.
    if (data?.code && (data.code === 'INTERNAL_SERVER_ERROR' || !err.message || err.message === data.code))
      return BY_CODE[data.code] ?? err.message;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
