import { useEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import { LIMITS } from '../../index.ts';
import { useTypingSignal } from '../hooks/useTypingSignal.ts';
import type { PendingUpload } from '../lib/uploads.ts';
import { PaperClipIcon } from './icons.tsx';
import { MentionMenu, mentionQuery } from './MentionMenu.tsx';
import { PendingUploads } from './PendingUploads.tsx';

interface Props {
  placeholder: string;
  /** Where the unsent draft is kept, so a reload or a switch of conversation does not lose it. */
  draftKey: string;
  /** Hands the message (and the uploaded files) to the send queue; false when the files are not ready. */
  onSubmit(content: string): boolean;
  onTyping(isTyping: boolean): Promise<unknown>;
  /** Usernames to complete after `@`. */
  mentionable: string[];
  /** Text to put back into the box (a failed message the user wants to edit). */
  restore: { text: string } | null;
  /** Files picked for this message, uploading or uploaded. */
  uploads: PendingUpload[];
  onAttach(files: File[]): void;
  onRemoveUpload(id: string): void;
  onRetryUpload(id: string): void;
  /** Why some picked files were not taken (too many). */
  note: string | null;
}

/**
 * The message box: Enter sends, Shift+Enter breaks the line, `@` completes usernames; files come
 * from the 📎 button or a paste. A message leaves the box the moment it is queued, so text typed
 * while earlier messages are still on their way is never touched; it waits while its files upload.
 */
export function Composer(props: Props) {
  const { placeholder, draftKey, onSubmit, onTyping, mentionable, restore, uploads, onAttach } = props;
  const [text, setText] = useState(() => sessionStorage.getItem(draftKey) ?? '');
  const [caret, setCaret] = useState(0);
  const [menuIndex, setMenuIndex] = useState(0);
  const [menuClosed, setMenuClosed] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
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

  const uploading = uploads.some((u) => u.status === 'uploading');
  const failed = uploads.some((u) => u.status === 'failed');
  const ready = !uploading && !failed;

  function submit() {
    // Read the box itself: what is on screen is what is sent, whatever state React has batched.
    const value = input.current?.value ?? text;
    const content = value.trim();
    if (!content && !uploads.length) return;
    if (content.length > LIMITS.contentMax || !ready) return;
    if (!onSubmit(content)) return;
    setText('');
    typing.stop();
  }

  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...e.clipboardData.files];
    // Text copied from an office document often comes with a picture of itself: paste the text.
    if (!files.length || e.clipboardData.types.includes('text/plain')) return;
    e.preventDefault();
    onAttach(files);
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
      <PendingUploads items={uploads} onRemove={props.onRemoveUpload} onRetry={props.onRetryUpload} />
      {props.note && (
        <p className="error" role="status" data-testid="composer-note">
          {props.note}
        </p>
      )}
      <div className="row">
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="composer-file-input"
          onChange={(e) => {
            onAttach([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        <button
          type="button"
          className="attach"
          data-testid="composer-attach"
          aria-label="Attach files"
          title="Attach files (or paste, or drop them here)"
          onClick={() => picker.current?.click()}
        >
          <PaperClipIcon />
        </button>
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
          onPaste={onPaste}
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
        <button
          className="primary"
          data-testid="composer-send"
          disabled={(!text.trim() && !uploads.length) || !ready}
          title={uploading ? 'Waiting for the files to upload' : failed ? 'Remove or retry the files that failed' : undefined}
        >
          {uploading ? 'Uploading…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
