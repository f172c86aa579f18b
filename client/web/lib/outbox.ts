import type { File as StoredFile } from '../../index.ts';
import type { ChatMessage } from './conversation.ts';
import { errorText, isRetryable } from './errors.ts';

/** A message the user sent that the server has not confirmed yet. */
export interface Outgoing {
  nonce: string;
  convKey: string;
  content: string;
  /** Uploaded files the message carries (their ids are sent; retries send the same ones). */
  attachments: StoredFile[];
  status: 'sending' | 'queued' | 'failed';
  error: string | null;
}

type Send = (content: string, nonce: string, attachmentIds: string[]) => Promise<ChatMessage>;

/** Rate-limited sends are retried on their own after this long (doubling, capped). */
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 15_000;

/**
 * Every message the user sends goes through here: one queue per conversation, sent one at a
 * time so they arrive in the order typed. Nothing is dropped: a failed send stays (with its text
 * and the reason) until it is retried or discarded, and the messages after it wait, so the order
 * still holds. Rate limits and lost connections are retried automatically; each retry reuses the
 * nonce, so the server never stores a message twice.
 */
export class Outbox {
  private items: Outgoing[] = [];
  private senders = new Map<string, Send>();
  private running = new Set<string>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private listeners = new Set<() => void>();
  private attempts = new Map<string, number>();
  private sentListeners = new Set<(convKey: string, message: ChatMessage) => void>();
  private disposed = false;

  /** Told of each confirmed message, so the open view shows it before its stream echo arrives. */
  onSent(fn: (convKey: string, message: ChatMessage) => void) {
    this.sentListeners.add(fn);
    return () => void this.sentListeners.delete(fn);
  }

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getItems = () => this.items;

  enqueue(convKey: string, send: Send, content: string, nonce: string, attachments: StoredFile[] = []) {
    this.senders.set(convKey, send);
    this.items = [...this.items, { nonce, convKey, content, attachments, status: 'queued', error: null }];
    this.emit();
    void this.pump(convKey);
  }

  /** Try a failed message (and those waiting behind it) again. */
  retry(convKey: string) {
    this.clearTimer(convKey);
    this.update((i) => (i.convKey === convKey && i.status === 'failed' ? { ...i, status: 'queued', error: null } : i));
    void this.pump(convKey);
  }

  /** Retries every stalled conversation, e.g. once the connection is back. */
  retryAll() {
    for (const key of new Set(this.items.filter((i) => i.status === 'failed' && i.error?.startsWith('Cannot reach')).map((i) => i.convKey)))
      this.retry(key);
  }

  /** Gives up on a failed message; its text and files are returned so the caller can put them back in the composer. */
  discard(nonce: string): Pick<Outgoing, 'content' | 'attachments'> | null {
    const item = this.items.find((i) => i.nonce === nonce);
    if (!item) return null;
    this.items = this.items.filter((i) => i !== item);
    this.emit();
    void this.pump(item.convKey);
    return { content: item.content, attachments: item.attachments };
  }

  dispose() {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
  }

  private async pump(convKey: string) {
    if (this.running.has(convKey)) return;
    this.running.add(convKey);
    try {
      while (!this.disposed) {
        const head = this.items.find((i) => i.convKey === convKey);
        // A failed head blocks the queue: later messages must not overtake it.
        if (!head || head.status === 'failed') return;
        const send = this.senders.get(convKey)!;
        this.update((i) => (i === head ? { ...i, status: 'sending' } : i));
        try {
          const message = await send(
            head.content,
            head.nonce,
            head.attachments.map((f) => f.id),
          );
          for (const fn of this.sentListeners) fn(convKey, message);
          this.items = this.items.filter((i) => i.nonce !== head.nonce);
          this.emit();
          this.attempts.delete(convKey);
        } catch (err) {
          const text = errorText(err);
          this.update((i) => (i.nonce === head.nonce ? { ...i, status: 'failed', error: text } : i));
          const attempt = (this.attempts.get(convKey) ?? 0) + 1;
          this.attempts.set(convKey, attempt);
          if (isRetryable(err)) this.schedule(convKey, Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_MAX_MS));
          return;
        }
      }
    } finally {
      this.running.delete(convKey);
    }
  }

  private schedule(convKey: string, ms: number) {
    this.clearTimer(convKey);
    this.timers.set(
      convKey,
      setTimeout(() => {
        this.timers.delete(convKey);
        this.retry(convKey);
      }, ms),
    );
  }

  private clearTimer(convKey: string) {
    const t = this.timers.get(convKey);
    if (t) clearTimeout(t);
    this.timers.delete(convKey);
  }

  private update(fn: (i: Outgoing) => Outgoing) {
    this.items = this.items.map(fn);
    this.emit();
  }

  private emit() {
    for (const l of this.listeners) l();
  }
}
