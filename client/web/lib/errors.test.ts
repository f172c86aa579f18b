import { describe, expect, test } from 'bun:test';
import { TRPCClientError } from '../../index.ts';
import { errorText, friendlyIssue, isRetryable } from './errors.ts';

const trpcError = (message: string, data: Record<string, unknown>) =>
  new TRPCClientError(message, { result: { error: { code: -32600, message, data } } } as never);

describe('friendly error text', () => {
  test('zod wording becomes a sentence about the field', () => {
    expect(friendlyIssue({ path: ['username'], message: 'Too small: expected string to have >=3 characters' })).toBe(
      'Username must be at least 3 characters.',
    );
    expect(friendlyIssue({ path: ['password'], message: 'Too big: expected string to have <=256 characters' })).toBe(
      'Password can be at most 256 characters.',
    );
    expect(friendlyIssue({ path: ['content'], message: 'Too small: expected string to have >=1 characters' })).toBe(
      'Message cannot be empty.',
    );
    expect(friendlyIssue({ path: ['username'], message: 'Invalid string: must match pattern /^[a-z0-9_.-]+$/' })).toContain(
      'lowercase letters',
    );
  });

  test('a BAD_REQUEST lists its issues in words', () => {
    const err = trpcError('[{"code":"too_small"}]', {
      code: 'BAD_REQUEST',
      issues: [{ path: ['username'], message: 'Too small: expected string to have >=3 characters' }],
    });
    expect(errorText(err)).toBe('Username must be at least 3 characters.');
  });

  test('a request that never reached the server says so, and is worth retrying', () => {
    const err = TRPCClientError.from(new TypeError('Failed to fetch'));
    expect(errorText(err)).toContain('Cannot reach the server');
    expect(errorText(err)).not.toContain('Failed to fetch');
    expect(isRetryable(err)).toBe(true);
  });

  test('rate limits are retried; refusals are not', () => {
    expect(isRetryable(trpcError('slow down', { code: 'TOO_MANY_REQUESTS' }))).toBe(true);
    expect(isRetryable(trpcError('no', { code: 'FORBIDDEN' }))).toBe(false);
    expect(errorText(trpcError('Only the owner can do that', { code: 'FORBIDDEN' }))).toBe('Only the owner can do that');
  });
});
