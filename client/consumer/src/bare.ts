// The same links with a bare @trpc/client (untyped router): the baseline for the bundle size.
import { createTRPCClient, createWSClient, httpBatchLink, retryLink, splitLink, wsLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';

const ws = createWSClient({
  url: location.origin.replace(/^http/, 'ws') + '/trpc',
  connectionParams: () => ({ token: localStorage.getItem('token') ?? '' }),
  keepAlive: { enabled: true, intervalMs: 20_000, pongTimeoutMs: 5_000 },
});
const client = createTRPCClient<AnyRouter>({
  links: [
    retryLink({ retry: ({ attempts }) => attempts < 2 }),
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: wsLink({ client: ws }),
      false: httpBatchLink({ url: '/trpc', headers: () => ({ authorization: `Bearer ${localStorage.getItem('token')}` }) }),
    }),
  ],
});
const untyped = client as unknown as Record<
  string,
  Record<string, { mutate(i: unknown): Promise<{ channel_id: string }>; subscribe(i: unknown, o: unknown): void }>
>;
const sent = await untyped.messages!.send!.mutate({ channel_id: 'c', content: 'hi' });
untyped.realtime!.channel!.subscribe({ channel_id: sent.channel_id }, { onData: (e: { type: string }) => console.log(e.type) });
