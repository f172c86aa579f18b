import { useState } from 'react';
import type { ParleyClient } from '../../index.ts';
import { errorText } from '../lib/api.ts';

/** Creates an invite code to hand to someone. */
export function InviteBox({ api, groupId }: { api: ParleyClient; groupId: string }) {
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create() {
    try {
      const invite = await api.groups.createInvite.mutate({ group_id: groupId });
      setCode(invite.code);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="invite">
      <button data-testid="invite-create" onClick={create}>
        Create invite
      </button>
      {code && (
        <p className="small">
          Code: <code data-testid="invite-code">{code}</code>
        </p>
      )}
      {error && <p className="error">{error}</p>}
    </div>
  );
}
