// Creates the users, group and channels a scenario needs, through Parley's public tRPC-over-HTTP
// API only (no database shortcuts), so the benchmark exercises the contract as a client would.
const PASSWORD = 'bench-password-1';

export type ParleyWorld = { tokens: string[]; userIds: string[]; groupId: string; channelIds: string[] };

async function post(base: string, path: string, body: unknown, token?: string): Promise<any> {
  const r = await fetch(`${base}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path}: HTTP ${r.status} ${text.slice(0, 200)}`);
  }
  return json;
}

function unwrap(path: string, res: any): any {
  if (res?.error) throw new Error(`${path}: ${JSON.stringify(res.error).slice(0, 300)}`);
  if (!res?.result) throw new Error(`${path}: unexpected response ${JSON.stringify(res).slice(0, 300)}`);
  return res.result.data;
}

/** One tRPC procedure call over HTTP. */
export async function call(base: string, proc: string, input: unknown, token?: string): Promise<any> {
  return unwrap(proc, await post(base, proc, input, token));
}

/** Many calls of one procedure in HTTP batches (the contract has batching on). */
export async function callBatched(base: string, proc: string, inputs: unknown[], token: string, size = 50) {
  const out: any[] = [];
  for (let i = 0; i < inputs.length; i += size) {
    const chunk = inputs.slice(i, i + size);
    const body = Object.fromEntries(chunk.map((v, k) => [String(k), v]));
    const res = await post(base, `${chunk.map(() => proc).join(',')}?batch=1`, body, token);
    if (!Array.isArray(res)) throw new Error(`${proc} batch: ${JSON.stringify(res).slice(0, 300)}`);
    for (const r of res) out.push(unwrap(proc, r));
  }
  return out;
}

/** Runs `fn` over 0..n-1 with at most `limit` in flight. */
async function parallel<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  return out;
}

/**
 * Registers `users` users (argon2 makes this the slow part: a few hundred, in parallel), has user 0
 * create a group with `channels` TEXT channels, and adds everyone else as a member.
 */
export async function setupParley(
  base: string,
  opts: { users: number; channels: number; log?: (s: string) => void },
): Promise<ParleyWorld> {
  const tag = Date.now().toString(36).slice(-6);
  const t0 = performance.now();
  const sessions = await parallel(opts.users, 16, (i) => call(base, 'auth.register', { username: `b${tag}_${i}`, password: PASSWORD }));
  const tokens = sessions.map((s) => s.access_token as string);
  const userIds = sessions.map((s) => s.user.id as string);
  opts.log?.(`registered ${opts.users} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const owner = tokens[0]!;
  const group = await call(base, 'groups.create', { name: `bench ${tag}` }, owner);
  const channels = await callBatched(
    base,
    'channels.create',
    Array.from({ length: opts.channels }, (_, i) => ({ group_id: group.id, name: `c${i}`, type: 'TEXT' })),
    owner,
  );
  await callBatched(
    base,
    'groups.addMember',
    userIds.slice(1).map((user_id) => ({ group_id: group.id, user_id })),
    owner,
  );
  opts.log?.(`group, ${opts.channels} channels, ${opts.users - 1} members in ${((performance.now() - t0) / 1000).toFixed(1)} s total`);
  return { tokens, userIds, groupId: group.id, channelIds: channels.map((c) => c.id as string) };
}
