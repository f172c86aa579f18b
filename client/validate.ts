import { STREAM_EVENTS } from '../shared/streams.ts';
import { ParleyContractError } from './contract-error.ts';

/**
 * Checks one received subscription event against the contract's zod schema. Loaded on demand
 * (`validateEvents: true`), so zod stays out of a client that does not ask for it.
 */
export function checkEvent(path: string, event: unknown): void {
  const schema = (STREAM_EVENTS as Record<string, (typeof STREAM_EVENTS)[keyof typeof STREAM_EVENTS]>)[path];
  if (!schema) throw new ParleyContractError(path, event, [{ path: [], message: 'no event schema is known for this subscription' }]);
  const result = schema.safeParse(event);
  if (!result.success) throw new ParleyContractError(path, event, result.error.issues);
}
