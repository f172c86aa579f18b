import type { SpaceProps } from '../SpaceView.tsx';

/** The open task list. (Placeholder: the view is being built.) */
export function TaskListView({ id }: SpaceProps) {
  return (
    <div className="empty" data-testid="space-placeholder">
      <p>This task list ({id}) cannot be shown yet.</p>
    </div>
  );
}
