import { memo, useState } from 'react';
import type { ChatMessage } from '../lib/conversation.ts';
import { Attachments } from './Attachments.tsx';
import { TrashIcon } from './icons.tsx';
import { MessageEditor } from './MessageEditor.tsx';
import { MessageText } from './MessageText.tsx';
import { ReactionBar, ReactionPicker } from './Reactions.tsx';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export interface MessageActions {
  edit(id: string, content: string): Promise<unknown>;
  remove(id: string): Promise<unknown>;
  react(id: string, emoji: string, on: boolean): Promise<unknown>;
}

interface Props {
  message: ChatMessage;
  mine: boolean;
  continued: boolean;
  me: string;
  /** Owners and admins may delete anyone's message. */
  canModerate: boolean;
  actions: MessageActions;
}

/** One message with its reactions; hover or focus shows react, edit and delete. */
export const MessageItem = memo(function MessageItem({ message, mine, continued, me, canModerate, actions }: Props) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [picking, setPicking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (p: Promise<unknown>) =>
    p.then(
      () => setError(null),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );

  return (
    <article
      className={`message${mine ? ' mine' : ''}${continued ? ' continued' : ''}`}
      data-testid="message"
      data-seq={message.seq}
      data-id={message.id}
      data-author={message.sender_username}
      aria-label={`${message.sender_username} at ${time.format(new Date(message.created_at))}`}
    >
      {!continued && (
        <header>
          <strong data-testid="message-author">{message.sender_username}</strong>
          <time dateTime={message.created_at} title={message.created_at}>
            {time.format(new Date(message.created_at))}
          </time>
        </header>
      )}
      {editing ? (
        <MessageEditor
          initial={message.content}
          onCancel={() => setEditing(false)}
          onSave={async (content) => {
            await actions.edit(message.id, content);
            setEditing(false);
          }}
        />
      ) : (
        <>
          {message.content && <MessageText content={message.content} me={me} />}
          {message.edited_at && (
            <span className="edited muted small" data-testid="message-edited" title={message.edited_at}>
              (edited)
            </span>
          )}
        </>
      )}
      <Attachments files={message.attachments} />
      <ReactionBar reactions={message.reactions} onToggle={(emoji, on) => run(actions.react(message.id, emoji, on))} />
      {error && <p className="error">{error}</p>}
      {!editing && (
        <div className="message-actions" role="toolbar" aria-label="Message actions">
          <button data-testid="message-react" aria-label="Add reaction" aria-expanded={picking} onClick={() => setPicking(!picking)}>
            ☺
          </button>
          {mine && (
            <button data-testid="message-edit" aria-label="Edit message" onClick={() => setEditing(true)}>
              ✎
            </button>
          )}
          {(mine || canModerate) && (
            <button data-testid="message-delete" aria-label="Delete message" onClick={() => setConfirming(true)}>
              <TrashIcon />
            </button>
          )}
        </div>
      )}
      {picking && (
        <ReactionPicker
          onPick={(emoji) => {
            setPicking(false);
            const current = message.reactions.find((r) => r.emoji === emoji);
            void run(actions.react(message.id, emoji, !current?.me));
          }}
          onClose={() => setPicking(false)}
        />
      )}
      {confirming && (
        <div className="confirm" role="alertdialog" aria-label="Delete this message?">
          <span>Delete this message?</span>
          <button className="danger" data-testid="message-delete-confirm" autoFocus onClick={() => void run(actions.remove(message.id))}>
            Delete
          </button>
          <button onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      )}
    </article>
  );
});
