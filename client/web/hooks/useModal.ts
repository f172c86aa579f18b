import { useEffect, useRef, useState, type MouseEvent } from 'react';

/**
 * A native `<dialog>` shown modally once mounted: spread `props` on it (a click on its backdrop
 * closes it, and closing calls `onClose`). `run` performs an action that resolves to an error
 * text, shown in `error`, or to null, which closes the dialog; it returns that result.
 */
export function useModal(onClose: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!ref.current?.open) ref.current?.showModal();
  }, []);
  const close = () => ref.current?.close();

  async function run(action: () => Promise<string | null>): Promise<string | null> {
    setBusy(true);
    const failed = await action();
    setBusy(false);
    if (failed) setError(failed);
    else close();
    return failed;
  }

  const props = {
    ref,
    className: 'dialog',
    onClose,
    onClick: (e: MouseEvent<HTMLDialogElement>) => e.target === ref.current && close(),
  };
  return { props, close, busy, error, setError, run };
}
