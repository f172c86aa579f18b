import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { LIMITS } from '../../index.ts';
import { useTypingSignal } from '../hooks/useTypingSignal.ts';
import { errorText, nonce } from '../lib/api.ts';

interface Props {
  placeholder: string;
  onSend(content: string, nonce: string): Promise<unknown>;
  onTyping(isTyping: boolean): Promise<unknown>;
}

/** The message box: Enter sends, Shift+Enter breaks the line; typing is signalled debounced. */
export function Composer({ placeholder, onSend, onTyping }: Props) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<{ content: string; nonce: string } | null>(null);
  const typing = useTypingSignal(onTyping);

  async function send(e?: FormEvent) {
    e?.preventDefault();
    const content = text.trim();
    if (!content) return;
    // A retry after a failure reuses the nonce, so the server returns the first copy, not a duplicate.
    const attempt = pending?.content === content ? pending : { content, nonce: nonce() };
    setPending(attempt);
    typing.stop();
    try {
      await onSend(attempt.content, attempt.nonce);
      setText('');
      setPending(null);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  }

  return (
    <form className="composer" onSubmit={send}>
      {error && <p className="error">{error}</p>}
      <div className="row">
        <textarea
          data-testid="composer-input"
          rows={1}
          maxLength={LIMITS.contentMax}
          placeholder={placeholder}
          value={text}
          onKeyDown={onKeyDown}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value) typing.keystroke();
            else typing.stop();
          }}
        />
        <button className="primary" data-testid="composer-send" disabled={!text.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
