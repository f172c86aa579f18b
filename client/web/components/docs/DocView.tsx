import type { SpaceProps } from '../SpaceView.tsx';

/** The open document. (Placeholder: the view is being built.) */
export function DocView({ id }: SpaceProps) {
  return (
    <div className="empty" data-testid="space-placeholder">
      <p>This document ({id}) cannot be shown yet.</p>
    </div>
  );
}
