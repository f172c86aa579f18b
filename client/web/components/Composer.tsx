import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { LIMITS } from '../../index.ts';
import { useTypingSignal } from '../hooks/useTypingSignal.ts';
import { MentionMenu, mentionQuery } from './MentionMenu.tsx';

interface Props {
  placeholder: string;
  /** Where the unsent draft is kept, so a reload or a switch of conversation does not lose it. */
  draftKey: string;
  /** Hands the message to the send queue; it never fails, the queue reports problems per message. */
  onSubmit(content: string): void;
  onTyping(isTyping: boolean): Promise<unknown>;
  /** Usernames to complete after `@`. */
  mentionable: string[];
  /** Text to put back into the box (a failed message the user wants to edit). */
  restore: { text: string } | null;
}

/**
 * The message box: Enter sends, Shift+Enter breaks the line, `@` completes usernames. A message
 * leaves the box the moment it is queued, so text typed while earlier messages are still on their
 * way is never touched.
 */
export function Composer({ placeholder, draftKey, onSubmit, onTyping, mentionable, restore }: Props) {
  const [text, setText] = useState(() => sessionStorage.getItem(draftKey) ?? '');
  const [caret, setCaret] = useState(0);
  const [menuIndex, setMenuIndex] = useState(0);
  const [menuClosed, setMenuClosed] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const typing = useTypingSignal(onTyping);

  useEffect(() => {
    if (text) sessionStorage.setItem(draftKey, text);
    else sessionStorage.removeItem(draftKey);
  }, [draftKey, text]);

  useEffect(() => {
    if (!restore) return;
    setText((prev) => (prev ? `${restore.text}\n${prev}` : restore.text));
    input.current?.focus();
  }, [restore]);

  const query = menuClosed ? null : mentionQuery(text, caret);
  const matches = query === null ? [] : mentionable.filter((u) => u.toLowerCase().startsWith(query.word.toLowerCase())).slice(0, 6);
  const menuOpen = matches.length > 0;

  function complete(username: string) {
    if (!query) return;
    const next = `${text.slice(0, query.start)}@${username} ${text.slice(caret)}`;
    const pos = query.start + username.length + 2;
    setText(next);
    setCaret(pos);
    requestAnimationFrame(() => input.current?.setSelectionRange(pos, pos));
  }

  function submit() {
    // Read the box itself: what is on screen is what is sent, whatever state React has batched.
    const value = input.current?.value ?? text;
    const content = value.trim();
    if (!content) return;
    if (content.length > LIMITS.contentMax) return;
    setText('');
    typing.stop();
    onSubmit(content);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (menuOpen) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setMenuIndex((i) => (i + step + matches.length) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        complete(matches[Math.min(menuIndex, matches.length - 1)]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMenuClosed(true);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {menuOpen && <MentionMenu id="mention-menu" matches={matches} active={Math.min(menuIndex, matches.length - 1)} onPick={complete} />}
      <div className="row">
        <textarea
          ref={input}
          data-testid="composer-input"
          aria-label={placeholder}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={menuOpen}
          aria-controls="mention-menu"
          aria-activedescendant={menuOpen ? `mention-${Math.min(menuIndex, matches.length - 1)}` : undefined}
          rows={1}
          maxLength={LIMITS.contentMax}
          placeholder={placeholder}
          value={text}
          onKeyDown={onKeyDown}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setMenuClosed(false);
            setMenuIndex(0);
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
