// Deliberate mistakes: the type-check must reject each one (one error per marked line).
import { createParleyClient } from '@parley/client';

const parley = createParleyClient({ url: 'http://localhost:3000', token: 't' });
await parley.messages.send.mutate({ channelId: crypto.randomUUID(), content: 'camelCase field' }); // WRONG 1
await parley.channels.create.mutate({ group_id: crypto.randomUUID(), name: 'x', type: 'text' }); // WRONG 2
const user = await parley.auth.me.query();
console.log(user.displayName); // WRONG 3
await parley.messages.nope.query(); // WRONG 4
