// A browser app using Parley's client: HTTP batching, the socket for subscriptions, token refresh.
import { createParleyClient, streamHandlers, type ChannelEvent } from '@parley/client';

const parley = createParleyClient({ url: location.origin, getToken: () => localStorage.getItem('token') });
const sent = await parley.messages.send.mutate({ channel_id: 'c', content: 'hi' });
parley.realtime.channel.subscribe({ channel_id: sent.channel_id }, streamHandlers<ChannelEvent>({ onEvent: (e) => console.log(e.type) }));
