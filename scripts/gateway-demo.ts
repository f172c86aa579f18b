/**
 * The original design's smoke flow over the compatibility gateway, with nothing but fetch and a
 * raw WebSocket: register, log in, create a group and a channel, connect to
 * /ws/channel/:id?token=…, send a typing indicator and two messages, print what comes back.
 *
 *   bun run demo:gateway [base-url]        (default http://127.0.0.1:3000)
 */
export {};

const base = process.argv[2] ?? process.env.PARLEY_URL ?? 'http://127.0.0.1:3000';

async function call<T>(path: string, input: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
  if (!body.result) throw new Error(`${path}: ${body.error?.message ?? res.status}`);
  return body.result.data;
}

const username = `gw_${Date.now().toString(36)}`;
const password = 'gateway-password-1';
await call('auth.register', { username, password });
const session = await call<{ access_token: string; user: { id: string } }>('auth.login', { username, password });
console.log(`logged in as ${username}`);
const token = session.access_token;
const group = await call<{ id: string }>('groups.create', { name: 'Gateway demo' }, token);
const channel = await call<{ id: string }>('channels.create', { group_id: group.id, name: 'general', type: 'TEXT' }, token);

const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/channel/${channel.id}?token=${encodeURIComponent(token)}`);
const received: Array<{ type: string }> = [];
const done = Promise.withResolvers<void>();
const timer = setTimeout(() => done.reject(new Error('timed out waiting for events')), 10_000);
ws.onmessage = (m) => {
  const event = JSON.parse(String(m.data)) as { type: string };
  received.push(event);
  console.log(`<- ${String(m.data)}`);
  if (event.type === 'online_users') {
    ws.send(JSON.stringify({ type: 'typing', is_typing: true }));
    ws.send(JSON.stringify({ type: 'message', content: 'Hello from the raw gateway' }));
    ws.send(JSON.stringify({ type: 'message', content: 'Second message' }));
    console.log('-> typing, two messages');
  }
  if (event.type === 'error') done.reject(new Error(String(m.data)));
  if (received.filter((e) => e.type === 'message').length === 2) done.resolve();
};
ws.onerror = () => done.reject(new Error('socket error'));
await done.promise;
clearTimeout(timer);
ws.close();
console.log(`received: ${received.map((e) => e.type).join(', ')}`);
if (!received.some((e) => e.type === 'typing')) throw new Error('the typing indicator did not come back');
