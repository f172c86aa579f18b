import type { CallController, CallState } from '../lib/call.ts';
import { StreamView } from './Video.tsx';

const STATUS: Record<CallState['status'], string> = {
  idle: '',
  outgoing: 'Calling',
  incoming: 'Incoming call from',
  connecting: 'Connecting to',
  connected: 'In a call with',
  ended: 'Call ended',
};

/** The call: both videos, and accept / decline / hang up as fits its state. */
export function CallPanel({ call, state, media }: { call: CallController; state: CallState; media: 'video' | 'audio' }) {
  const live = state.status === 'outgoing' || state.status === 'connecting' || state.status === 'connected';
  const audioOnly = media === 'audio';
  return (
    <div className={`call ${state.status}`} data-testid="call-panel" data-status={state.status}>
      <div className="call-bar">
        <span data-testid="call-status">
          {state.status === 'ended' ? (
            (state.note ?? STATUS.ended)
          ) : (
            <>
              {STATUS[state.status]} <strong>{state.peer?.username}</strong>
              {state.note && <span className="muted"> — {state.note}</span>}
            </>
          )}
        </span>
        {state.status === 'incoming' && (
          <>
            <button className="primary" data-testid="call-accept" onClick={() => call.accept()}>
              Accept
            </button>
            <button className="danger" data-testid="call-decline" onClick={() => call.hangup('declined the call')}>
              Decline
            </button>
          </>
        )}
        {state.status === 'ended' && (
          <button className="link" data-testid="call-dismiss" onClick={() => call.dismiss()}>
            Dismiss
          </button>
        )}
        {live && (
          <button className="danger" data-testid="call-hangup" onClick={() => call.hangup()}>
            Hang up
          </button>
        )}
      </div>
      {live && (
        <div className={audioOnly ? 'videos audio' : 'videos'}>
          <figure className="remote">
            <StreamView stream={state.remoteStream} muted={false} testId="remote-video" audioOnly={audioOnly} />
            <figcaption>{state.peer?.username}</figcaption>
          </figure>
          <figure className="local">
            <StreamView stream={state.localStream} muted testId="local-video" audioOnly={audioOnly} />
            <figcaption>you</figcaption>
          </figure>
        </div>
      )}
    </div>
  );
}
