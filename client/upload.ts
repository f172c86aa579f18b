import { TRPCClientError } from '@trpc/client';
import type { File as StoredFile } from '../shared/entities.ts';

/** How much of an upload has gone out, in bytes. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadOptions {
  /** Called as the bytes go out. Only where XMLHttpRequest exists (browsers): fetch cannot report upload progress. */
  onProgress?: (progress: UploadProgress) => void;
  /** Aborts the upload; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A `files.upload` form: one field `file`, named as the browser names it (a bare Blob is "blob"). */
export function uploadForm(file: Blob): FormData {
  const form = new FormData();
  form.append('file', file);
  return form;
}

/**
 * One `files.upload` call over XMLHttpRequest, the only browser API that reports upload progress:
 * the same request httpLink sends (a multipart POST to `/trpc/files.upload`), and the same
 * TRPCClientError when the server refuses it or cannot be reached.
 */
export function xhrUpload(base: string, token: string | null, file: Blob, opts: UploadOptions): Promise<StoredFile> {
  return new Promise((resolve, reject) => {
    const { signal, onProgress } = opts;
    if (signal?.aborted) return reject(signal.reason);
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    xhr.open('POST', `${base}/trpc/files.upload`);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    if (onProgress) xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () => {
      settle();
      let body: { result?: { data: StoredFile }; error?: unknown } | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not tRPC's JSON (a proxy's error page): reported by status below.
      }
      if (body?.result) resolve(body.result.data);
      else reject(TRPCClientError.from(body?.error ? body : new Error(`Upload failed with HTTP ${xhr.status}`)));
    };
    // Worded like fetch's own failure, so callers that recognise a lost network recognise this too.
    xhr.onerror = () => (settle(), reject(TRPCClientError.from(new TypeError('Failed to fetch (network error during upload)'))));
    xhr.onabort = () => (settle(), reject(signal?.reason ?? new DOMException('The upload was aborted', 'AbortError')));
    xhr.send(uploadForm(file));
  });
}
