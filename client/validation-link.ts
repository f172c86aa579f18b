import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';

type Validator = typeof import('./validate.ts');

/** Durable events arrive tracked (`{ id, data }`), ephemeral ones bare: the event is what has a `type`. */
function eventOf(value: unknown): unknown {
  if (value && typeof value === 'object' && !('type' in value) && 'data' in value && 'id' in value) return value.data;
  return value;
}

/**
 * Checks every event a subscription yields against the contract's schema before the app sees it;
 * the first that does not match ends the subscription with a `ParleyContractError` as the cause.
 * The validator (and zod) is imported on the first subscription, in order, so events keep their order.
 */
export function eventValidationLink<TRouter extends AnyRouter>(): TRPCLink<TRouter> {
  let validator: Promise<Validator> | null = null;
  return () =>
    ({ op, next }) => {
      if (op.type !== 'subscription') return next(op);
      validator ??= import('./validate.ts');
      return observable((observer) => {
        let queue: Promise<unknown> = validator!;
        let failed = false;
        const fail = (err: unknown) => {
          if (failed) return;
          failed = true;
          subscription.unsubscribe();
          observer.error(err instanceof TRPCClientError ? err : TRPCClientError.from(err instanceof Error ? err : new Error(String(err))));
        };
        const subscription = next(op).subscribe({
          next(envelope) {
            queue = queue
              .then(async () => {
                if (failed) return;
                const result = envelope.result as { type?: string; data?: unknown };
                if (result.type === undefined || result.type === 'data') (await validator!).checkEvent(op.path, eventOf(result.data));
                observer.next(envelope);
              })
              .catch(fail);
          },
          error: (err) => void queue.then(() => fail(err)),
          complete: () => void queue.then(() => failed || observer.complete()),
        });
        return () => subscription.unsubscribe();
      });
    };
}
