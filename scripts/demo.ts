/**
 * The original design's smoke scenario against a running server, through the typed client:
 * register and log in, create a group and a channel, subscribe, send a typing indicator and
 * two messages, and print everything that comes back.
 *
 *   bun run demo [base-url]        (default http://127.0.0.1:3000)
 */
import { createParleyClient, streamHandlers, type ChannelEvent } from '../client/index.ts';

const url = process.argv[2] ?? process.env.PARLEY_URL ?? 'http://127.0.0.1:3000';
const username = `demo_${Date.now().toString(36)}`;
const password = 'demo-password-123';

const anonymous = createParleyClient({ url, token: '' });
const registered = await anonymous.auth.register.mutate({ username, password, display_name: 'Demo User' });
console.log(`registered ${registered.user.username} (${registered.user.id})`);
const session = await anonymous.auth.login.mutate({ username, password });
console.log(`logged in; access token expires in ${session.expires_in} s`);
anonymous.close();

const client = createParleyClient({ url, session });
const group = await client.groups.create.mutate({ name: 'Demo group', description: 'made by bun run demo' });
const channel = await client.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT', topic: 'smoke test' });
console.log(`created group "${group.name}" and channel #${channel.name}`);

const received: Array<{ event: ChannelEvent; seq: number | null }> = [];
const done = Promise.withResolvers<void>();
const timeout = setTimeout(() => done.reject(new Error('timed out waiting for events')), 10_000);
const subscribed = Promise.withResolvers<void>();
const sub = client.realtime.channel.subscribe(
  { channel_id: channel.id },
  streamHandlers<ChannelEvent>({
    onEvent(event, seq) {
      received.push({ event, seq });
      console.log(`<- ${seq === null ? '   ' : `#${seq}`} ${JSON.stringify(event)}`);
      if (event.type === 'online_users') subscribed.resolve();
      if (received.filter((r) => r.event.type === 'message').length === 2) done.resolve();
    },
    onError: (err) => done.reject(err),
  }),
);

await subscribed.promise;
await client.realtime.typing.mutate({ channel_id: channel.id, is_typing: true });
console.log('-> typing');
for (const content of ['Hello, Parley!', 'Second message']) {
  const message = await client.messages.send.mutate({ channel_id: channel.id, content });
  console.log(`-> sent "${content}" (seq ${message.seq})`);
}
await done.promise;
clearTimeout(timeout);
const types = received.map((r) => r.event.type);
console.log(`received: ${types.join(', ')}`);
sub.unsubscribe();
client.close();
if (!types.includes('typing')) throw new Error('the typing indicator did not come back');
