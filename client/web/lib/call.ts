import type { SignalType } from './conversation.ts';

/**
 * A one-to-one call over RTCPeerConnection, signalled through `realtime.signal`.
 *
 * Every signal's `data` is an envelope carrying the call's id: `{ call_id, sdp }` for offers and
 * answers, `{ call_id, candidate }` for ICE candidates. The contract has no hang-up signal, so
 * hanging up (or declining, or being busy) is an `ice_candidate` with `{ call_id, bye: true }`.
 */
export type CallStatus = 'idle' | 'outgoing' | 'incoming' | 'connecting' | 'connected' | 'ended';

export interface Peer {
  id: string;
  username: string;
}

export interface CallState {
  status: CallStatus;
  peer: Peer | null;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
  /** Why the last call ended, or what went wrong. */
  note: string | null;
}

interface Envelope {
  call_id: string;
  sdp?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit;
  bye?: boolean;
  reason?: string;
}

export interface CallOptions {
  media: 'video' | 'audio';
  iceServers: RTCIceServer[];
  send(type: SignalType, data: Envelope, targetUserId: string): Promise<unknown>;
}

/** The live call's internals, exposed for end-to-end tests and debugging. */
declare global {
  interface Window {
    __parley?: { pc: RTCPeerConnection | null; call: CallController | null };
  }
}

const IDLE: CallState = { status: 'idle', peer: null, localStream: null, remoteStream: null, note: null };
/** Candidates kept for calls whose offer has not arrived yet (signals may overtake each other). */
const MAX_EARLY_CANDIDATES = 64;

export class CallController {
  private state: CallState = IDLE;
  private listeners = new Set<() => void>();
  private pc: RTCPeerConnection | null = null;
  private callId: string | null = null;
  private offer: RTCSessionDescriptionInit | null = null;
  private early = new Map<string, RTCIceCandidateInit[]>();
  /** Signals leave one at a time so the server sees them in the order they were made. */
  private outbox: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: CallOptions) {}

  /** For React's useSyncExternalStore. */
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = () => this.state;

  private set(patch: Partial<CallState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private get busy() {
    return this.state.status !== 'idle' && this.state.status !== 'ended';
  }

  private send(type: SignalType, data: Envelope, to: string) {
    const next = this.outbox.then(() => this.opts.send(type, data, to));
    this.outbox = next.catch(() => {});
    return next;
  }

  /** Calls `peer`: captures media, sends the offer and waits for an answer. */
  async start(peer: Peer) {
    if (this.busy) return;
    const callId = crypto.randomUUID();
    this.callId = callId;
    this.set({ ...IDLE, status: 'outgoing', peer });
    try {
      const pc = await this.preparePeer(peer);
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      await this.send('offer', { call_id: callId, sdp: pc.localDescription!.toJSON() }, peer.id);
    } catch (err) {
      this.finish(`Call failed: ${describe(err)}`, false);
    }
  }

  /** Answers the ringing call. */
  async accept() {
    const peer = this.state.peer;
    if (this.state.status !== 'incoming' || !peer || !this.offer || !this.callId) return;
    const callId = this.callId;
    this.set({ status: 'connecting' });
    try {
      const pc = await this.preparePeer(peer);
      await pc.setRemoteDescription(this.offer);
      await this.flushEarly(callId);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await this.send('answer', { call_id: callId, sdp: pc.localDescription!.toJSON() }, peer.id);
    } catch (err) {
      this.finish(`Call failed: ${describe(err)}`, true);
    }
  }

  /** Declines a ringing call or hangs up a live one. */
  hangup(reason = 'hung up') {
    if (!this.busy) return;
    this.finish(this.state.status === 'incoming' ? 'You declined the call' : 'You hung up', true, reason);
  }

  /** Clears an ended call's note. */
  dismiss() {
    if (this.state.status === 'ended') this.set(IDLE);
  }

  /** Feeds a `webrtc_*` event from the conversation's stream. */
  async handle(type: SignalType, from: Peer, data: unknown) {
    if (!isEnvelope(data)) return;
    const ours = data.call_id === this.callId && from.id === this.state.peer?.id;
    try {
      if (type === 'offer') {
        if (!data.sdp) return;
        if (this.busy) {
          if (!ours) void this.send('ice_candidate', { call_id: data.call_id, bye: true, reason: 'is busy' }, from.id).catch(() => {});
          return;
        }
        this.callId = data.call_id;
        this.offer = data.sdp;
        this.set({ ...IDLE, status: 'incoming', peer: from });
      } else if (type === 'answer') {
        if (!ours || !this.pc || !data.sdp || this.state.status !== 'outgoing') return;
        this.set({ status: 'connecting' });
        await this.pc.setRemoteDescription(data.sdp);
        await this.flushEarly(data.call_id);
      } else if (data.bye) {
        if (ours && this.busy) this.finish(`${from.username} ${data.reason ?? 'hung up'}`, false);
      } else if (data.candidate) {
        if (ours && this.pc?.remoteDescription) await this.pc.addIceCandidate(data.candidate);
        else this.keepEarly(data.call_id, data.candidate);
      }
    } catch (err) {
      console.warn('signal failed', type, err);
    }
  }

  /** Ends any call; the controller is not used again. */
  dispose() {
    this.hangup('left the conversation');
    this.listeners.clear();
  }

  private async preparePeer(peer: Peer): Promise<RTCPeerConnection> {
    const local = await captureMedia(this.opts.media);
    if (!this.busy) {
      local?.getTracks().forEach((t) => t.stop());
      throw new Error('call ended while starting');
    }
    const pc = new RTCPeerConnection({ iceServers: this.opts.iceServers });
    this.pc = pc;
    window.__parley = { pc, call: this };
    const callId = this.callId!;
    if (local) {
      for (const track of local.getTracks()) pc.addTrack(track, local);
    } else {
      // No camera or microphone: still receive the other side.
      if (this.opts.media === 'video') pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
    }
    pc.onicecandidate = (e) => {
      if (e.candidate) void this.send('ice_candidate', { call_id: callId, candidate: e.candidate.toJSON() }, peer.id).catch(() => {});
    };
    pc.ontrack = (e) => {
      if (pc !== this.pc) return;
      const stream = e.streams[0] ?? this.state.remoteStream ?? new MediaStream();
      if (!stream.getTracks().includes(e.track)) stream.addTrack(e.track);
      this.set({ remoteStream: stream });
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === 'connected') this.set({ status: 'connected', note: null });
      else if (pc.connectionState === 'failed') this.finish('Connection failed (a TURN server may be needed)', true);
      else if (pc.connectionState === 'disconnected') this.set({ note: 'Connection interrupted…' });
    };
    this.set({ localStream: local });
    return pc;
  }

  private keepEarly(callId: string, candidate: RTCIceCandidateInit) {
    const list = this.early.get(callId) ?? [];
    if (list.length < MAX_EARLY_CANDIDATES) list.push(candidate);
    this.early.set(callId, list);
  }

  private async flushEarly(callId: string) {
    const list = this.early.get(callId) ?? [];
    this.early.delete(callId);
    for (const c of list) await this.pc?.addIceCandidate(c).catch((err) => console.warn('bad candidate', err));
  }

  private finish(note: string, tellPeer: boolean, reason = 'hung up') {
    const { peer } = this.state;
    if (tellPeer && peer && this.callId) {
      void this.send('ice_candidate', { call_id: this.callId, bye: true, reason }, peer.id).catch(() => {});
    }
    this.pc?.close();
    this.pc = null;
    this.state.localStream?.getTracks().forEach((t) => t.stop());
    this.offer = null;
    this.early.clear();
    this.set({ status: 'ended', localStream: null, remoteStream: null, note });
  }
}

/** Camera and microphone, falling back to whichever exists; null when neither does. */
async function captureMedia(media: 'video' | 'audio'): Promise<MediaStream | null> {
  const attempts: MediaStreamConstraints[] =
    media === 'video' ? [{ video: true, audio: true }, { video: true }, { audio: true }] : [{ audio: true }];
  for (const constraints of attempts) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch {
      // try the next, smaller set
    }
  }
  return null;
}

function isEnvelope(data: unknown): data is Envelope {
  return typeof data === 'object' && data !== null && typeof (data as Envelope).call_id === 'string';
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
