/**
 * A received event that does not match the contract's schema (only with `validateEvents: true`).
 * It ends the subscription through its `onError`, as the `cause` of a `TRPCClientError`.
 */
export class ParleyContractError extends Error {
  override readonly name = 'ParleyContractError';
  constructor(
    /** The subscription's procedure path, e.g. `realtime.channel`. */
    readonly path: string,
    /** The event as received. */
    readonly event: unknown,
    /** What did not match: `{ path, message }` per problem. */
    readonly issues: readonly { path: readonly PropertyKey[]; message: string }[],
  ) {
    super(
      `${path}: received an event that does not match the contract: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
}
