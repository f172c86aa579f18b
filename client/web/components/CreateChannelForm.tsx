import { useState, type FormEvent } from 'react';
import type { ChannelType } from '../../index.ts';
import { errorText } from '../lib/api.ts';

/** Name and type of a new channel. */
export function CreateChannelForm({ onCreate }: { onCreate(name: string, type: ChannelType): Promise<void> }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<ChannelType>('TEXT');
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return;
    try {
      await onCreate(name.trim(), type);
      setName('');
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <form className="inline-form" onSubmit={submit}>
      <h3>New channel</h3>
      <input
        data-testid="channel-name-input"
        aria-label="Channel name"
        placeholder="Channel name"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <div className="row">
        <select
          data-testid="channel-type-select"
          aria-label="Channel type"
          value={type}
          onChange={(e) => setType(e.target.value as ChannelType)}
        >
          <option value="TEXT">Text</option>
          <option value="VOICE">Voice</option>
          <option value="VIDEO">Video</option>
        </select>
        <button data-testid="channel-create" disabled={!name.trim()}>
          Create
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
