import type { Outgoing } from '../lib/outbox.ts';
import { Attachments } from './Attachments.tsx';
import { MessageText } from './MessageText.tsx';

/** A message on its way: greyed while sending, with the reason and Retry / Discard when it failed. */
export function PendingItem({ item, me, onRetry, onDiscard }: { item: Outgoing; me: string; onRetry(): void; onDiscard(): void }) {
  return (
    <article
      className={`message mine pending ${item.status}`}
      data-testid="pending-message"
      data-status={item.status}
      aria-busy={item.status !== 'failed'}
    >
      {item.content && <MessageText content={item.content} me={me} testId="pending-content" />}
      <Attachments files={item.attachments} />
      {item.status === 'failed' ? (
        <p className="error" role="alert">
          Not sent: {item.error}{' '}
          <button className="link" data-testid="pending-retry" onClick={onRetry}>
            Retry
          </button>{' '}
          ·{' '}
          <button className="link" data-testid="pending-discard" onClick={onDiscard}>
            Edit in composer
          </button>
        </p>
      ) : (
        <span className="muted small">{item.status === 'sending' ? 'Sending…' : 'Waiting to send…'}</span>
      )}
    </article>
  );
}
