// A Node 20 script (compiled by tsc, run by plain `node`): registers, subscribes, sends and receives.
import { createParleyClient, streamHandlers, type ChannelEvent } from '@parley/client';
import WebSocket from 'ws';

const url = process.argv[2];
if (!url) throw new Error('usage: node node-client.js <parley url>');

// A guest needs no WebSocket: the socket opens with the first subscription only.
const guest = createParleyClient({ url, token: '' });
const name = `node_${Math.random().toString(36).slice(2, 10)}`;
const session = await guest.auth.register.mutate({ username: name, password: 'analytical-engine' });
console.log(`registered ${session.user.username}`);

const parley = createParleyClient({ url, session, WebSocket, validateEvents: true });
const group = await parley.groups.create.mutate({ name: 'Node' });
const channel = await parley.channels.create.mutate({ group_id: group.id, name: 'general', type: 'TEXT' });

const received = new Promise<{ content: string; seq: number | null }>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no message within 20 s')), 20_000);
  const sub = parley.realtime.channel.subscribe(
    { channel_id: channel.id },
    streamHandlers<ChannelEvent>({
      onStarted: () => {
        console.log('subscribed');
        void parley.messages.send.mutate({ channel_id: channel.id, content: 'Hello from Node', nonce: crypto.randomUUID() });
      },
      onEvent: (event, seq) => {
        if (event.type !== 'message') return;
        clearTimeout(timer);
        sub.unsubscribe();
        resolve({ content: event.content, seq });
      },
      onError: (err) => reject(err instanceof Error ? err : new Error(String(err))),
    }),
  );
});
const message = await received;
console.log(`received "${message.content}" at seq ${message.seq}`);
parley.close();
guest.close();
