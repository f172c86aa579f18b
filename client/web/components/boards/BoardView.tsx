import type { SpaceProps } from '../SpaceView.tsx';

/** The open board. (Placeholder: the view is being built.) */
export function BoardView({ id }: SpaceProps) {
  return (
    <div className="empty" data-testid="space-placeholder">
      <p>This board ({id}) cannot be shown yet.</p>
    </div>
  );
}
