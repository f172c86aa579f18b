import { useState, type FormEvent } from 'react';
import { errorText } from '../lib/api.ts';

interface Props {
  placeholder: string;
  button: string;
  /** Test id prefix: `<id>-input`, `<id>-submit`, `<id>-error`. */
  testId: string;
  onSubmit(value: string): Promise<unknown>;
}

/** One text field and a button; clears itself on success and shows the error otherwise. */
export function InlineForm({ placeholder, button, testId, onSubmit }: Props) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!value.trim() || busy) return;
    setBusy(true);
    try {
      await onSubmit(value.trim());
      setValue('');
      setError(null);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form" onSubmit={submit}>
      <div className="row">
        <input
          data-testid={`${testId}-input`}
          aria-label={placeholder}
          value={value}
          placeholder={placeholder}
          onChange={(e) => setValue(e.target.value)}
        />
        <button data-testid={`${testId}-submit`} disabled={busy || !value.trim()}>
          {button}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid={`${testId}-error`}>
          {error}
        </p>
      )}
    </form>
  );
}
