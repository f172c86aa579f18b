// The README's example, as a frontend writes it.
import {
  createParleyClient,
  LIMITS,
  streamHandlers,
  TRPCClientError,
  type AppRouter,
  type ChannelEvent,
  type MeEvent,
  type Message,
  type Session,
} from '@parley/client';
import { ChannelEvent as ChannelEventSchema } from '@parley/client/schemas';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

declare function save(session: Session): void;
declare function logIn(): void;

const guest = createParleyClient({ url: 'http://localhost:3000', token: '' });
const session = await guest.auth.register.mutate({ username: 'ada', password: 'analytical-engine' });

const parley = createParleyClient({ url: 'http://localhost:3000', session, onSession: save, onAuthError: logIn });
const group = await parley.groups.create.mutate({ name: 'Engines' });
const channel = await parley.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' });

parley.realtime.channel.subscribe(
  { channel_id: channel.id },
  streamHandlers<ChannelEvent>({ onEvent: (event, seq) => console.log(seq, event) }),
);
const sent: Message = await parley.messages.send.mutate({ channel_id: channel.id, content: 'Hello!', nonce: crypto.randomUUID() });

// Results are typed (not any), events narrow on `type`.
const page = await parley.messages.list.query({ channel_id: channel.id, limit: LIMITS.historyPageMax });
const first: string | undefined = page.items[0]?.sender_username;
parley.realtime.me.subscribe(
  undefined,
  streamHandlers<MeEvent>({
    onEvent(event) {
      if (event.type === 'channel_created') console.log(event.channel.name);
    },
    onError: (err) => console.error(err),
  }),
);

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;
const input: Inputs['messages']['send'] = { channel_id: channel.id, content: 'typed input' };
const me: Outputs['auth']['me'] = await parley.auth.me.query();

// The zod schemas, from their own entry.
const parsed = ChannelEventSchema.safeParse({ type: 'typing' });

try {
  await parley.groups.get.query({ group_id: crypto.randomUUID() });
} catch (err) {
  if (err instanceof TRPCClientError) console.log(err.data?.code);
}
// An upload with progress, attached to a message.
const picked = new File(['hello'], 'hello.txt', { type: 'text/plain' });
const stored = await parley.uploadFile(picked, { onProgress: ({ loaded, total }) => console.log(loaded / total) });
await parley.messages.send.mutate({ channel_id: channel.id, content: '', attachment_ids: [stored.id] });
const url: string | null = stored.url;
// A browser's own WebSocket fits the option too.
createParleyClient({ url: 'http://localhost:3000', token: 't', WebSocket, validateEvents: true }).close();
console.log(sent.seq, first, input, me.username, parsed.success, url);
