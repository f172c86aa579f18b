/**
 * STUN/TURN servers for calls. None are needed when both peers share a network (host candidates
 * connect); across NATs set them with, in order of precedence:
 *   - `window.PARLEY_ICE_SERVERS = [{ urls: 'turn:turn.example.com', username, credential }]` before the app loads;
 *   - `?ice=<url-encoded JSON array of RTCIceServer>`;
 *   - `?stun=stun:host:3478` (repeatable) and `?turn=turn:host:3478&turn_username=u&turn_credential=p`.
 */
declare global {
  interface Window {
    PARLEY_ICE_SERVERS?: RTCIceServer[];
  }
}

export function iceServers(search = window.location.search): RTCIceServer[] {
  if (Array.isArray(window.PARLEY_ICE_SERVERS)) return window.PARLEY_ICE_SERVERS;
  const params = new URLSearchParams(search);
  const json = params.get('ice');
  if (json) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (Array.isArray(parsed)) return parsed as RTCIceServer[];
    } catch {
      console.warn('ignoring malformed ?ice= parameter');
    }
  }
  const servers: RTCIceServer[] = params.getAll('stun').map((urls) => ({ urls }));
  const turn = params.getAll('turn');
  if (turn.length) {
    servers.push({
      urls: turn,
      username: params.get('turn_username') ?? undefined,
      credential: params.get('turn_credential') ?? undefined,
    });
  }
  return servers;
}
