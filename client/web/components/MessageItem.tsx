import { memo } from 'react';
import type { ChatMessage } from '../lib/conversation.ts';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** One message; consecutive messages by one author share a header. */
export const MessageItem = memo(function MessageItem({
  message,
  mine,
  continued,
}: {
  message: ChatMessage;
  mine: boolean;
  continued: boolean;
}) {
  return (
    <article
      className={mine ? 'message mine' : 'message'}
      data-testid="message"
      data-seq={message.seq}
      data-id={message.id}
      data-author={message.sender_username}
    >
      {!continued && (
        <header>
          <strong data-testid="message-author">{message.sender_username}</strong>
          <time dateTime={message.created_at} title={message.created_at}>
            {time.format(new Date(message.created_at))}
          </time>
        </header>
      )}
      <p data-testid="message-content">{message.content}</p>
    </article>
  );
});
